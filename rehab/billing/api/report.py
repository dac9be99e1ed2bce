"""The clinic's monthly RTM report (JSON and CSV), month closes and the data-day rule: clinic admins only."""

from django.db.models import Count
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from config.api.schema import error_responses
from config.api.serializers import query_data
from patients.api.base import ClinicScopedViewSet
from patients.api.permissions import IsClinicAdmin
from rehab.billing.api import serializers as s
from rehab.billing.api.views import validated
from rehab.billing.models import MonthClose
from rehab.billing.report_csv import report_csv
from rehab.billing.selectors.ledger import clinic_month_rows, data_day_rule_of, month_of
from rehab.billing.services.episodes import data_day_rule_set
from rehab.billing.services.months import month_close


def report_rows(request) -> tuple:
    query = validated(s.ReportQuerySerializer, query_data(request))
    month = query.get("month") or month_of(request.user.clinic)
    rows = clinic_month_rows(clinic=request.user.clinic, month=month)
    if query.get("billable") is not None:
        rows = [row for row in rows if row["billable"] == query["billable"]]
    return month, rows


class BillingReportViewSet(ClinicScopedViewSet):
    permission_classes = [IsClinicAdmin]

    def scoped_queryset(self):
        return MonthClose.objects.all()

    @extend_schema(
        summary="The clinic's monthly RTM report: one row per patient with an episode that month",
        parameters=[s.ReportQuerySerializer],
        responses=s.LedgerRowSerializer(many=True),
    )
    def report(self, request):
        _, rows = report_rows(request)
        page = self.paginate_queryset(rows)
        self._audit_patients().update(row["patient"]["id"] for row in page)
        return self.get_paginated_response(s.LedgerRowSerializer(page, many=True).data)

    @extend_schema(
        summary="The monthly RTM report as CSV (UTF-8 with BOM, ISO dates; downloading does not close the month)",
        parameters=[s.ReportQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The report.")},
    )
    def report_csv(self, request):
        month, rows = report_rows(request)
        self._audit_patients().update(row["patient"]["id"] for row in rows)
        response = HttpResponse(report_csv(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rtm-{month:%Y-%m}.csv"'
        return response

    @extend_schema(summary="The clinic's closed months, newest first", responses=s.MonthCloseSerializer(many=True))
    def closes(self, request):
        closes = self.get_queryset().select_related("closed_by").annotate(row_count=Count("rows")).order_by("-month")
        page = self.paginate_queryset(closes)
        shown = [_close_shown(c, rows=c.row_count) for c in page]
        return self.get_paginated_response(s.MonthCloseSerializer(shown, many=True).data)

    @extend_schema(
        summary="Close a month: its figures are frozen",
        description="409 for a month not over yet in the clinic's zone, or closed already.",
        request=s.MonthCloseCreateSerializer,
        responses={201: s.MonthCloseSerializer, **error_responses(409)},
    )
    def close(self, request):
        data = validated(s.MonthCloseCreateSerializer, request.data)
        closed = month_close(clinic=request.user.clinic, month=data["month"], by=request.user)
        shown = _close_shown(closed, rows=closed.rows.count())
        return Response(s.MonthCloseSerializer(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The clinic's RTM settings", responses=s.BillingSettingsSerializer)
    def settings_read(self, request):
        return Response({"data_day_rule": data_day_rule_of(request.user.clinic)})

    @extend_schema(
        summary="Choose what makes a data day: any patient-entered log, or exercise logs only",
        request=s.BillingSettingsSerializer,
        responses=s.BillingSettingsSerializer,
    )
    def settings_update(self, request):
        data = validated(s.BillingSettingsSerializer, request.data)
        chosen = data_day_rule_set(clinic=request.user.clinic, **data)
        return Response({"data_day_rule": chosen.data_day_rule})


def _close_shown(closed: MonthClose, *, rows: int) -> dict:
    return {
        "id": closed.pk,
        "month": closed.month,
        "closed_by": closed.closed_by,
        "closed_at": closed.closed_at,
        "rows": rows,  # the list counts them in its page's query; a new close counts its own
    }
