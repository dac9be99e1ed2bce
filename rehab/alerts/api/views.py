"""The clinic's alerts: list, acknowledge, resolve."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.schema import error_responses
from config.api.serializers import query_data
from patients.api.base import ClinicScopedViewSet
from rehab.alerts.api.serializers import AlertNoteSerializer, AlertQuerySerializer, AlertSerializer
from rehab.alerts.models import Alert
from rehab.alerts.selectors import alert_payload
from rehab.alerts.services.alerts import alert_acknowledge, alert_resolve


def alert_for_clinic(alert: Alert) -> dict:
    """The webhook's shape (no free text) plus what only the clinic's own staff see."""
    payload = alert_payload(alert)
    resolved_by = alert.resolved_by
    payload.update(
        resolved_by=None
        if resolved_by is None
        else {"id": resolved_by.pk, "display_name": resolved_by.display_name or resolved_by.username},
        resolved_at=alert.resolved_at,
        # Instants as datetimes, so the serializer renders them all alike (the webhook body keeps its strings).
        created_at=alert.created_at,
        acknowledged_at=alert.acknowledged_at,
        escalated_at=alert.escalated_at,
        acknowledge_note=alert.acknowledge_note,
        resolve_note=alert.resolve_note,
    )
    return payload


class AlertViewSet(ClinicScopedViewSet):
    lookup_url_kwarg = "alert_id"

    def scoped_queryset(self):
        return Alert.objects.select_related("patient", "milestone", "acknowledged_by", "resolved_by")

    @extend_schema(
        summary="The clinic's alerts, newest first",
        parameters=[AlertQuerySerializer],
        responses=AlertSerializer(many=True),
    )
    def list(self, request):
        query = AlertQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        filters = {("patient_id" if k == "patient" else k): v for k, v in query.validated_data.items()}
        page = self.paginate_queryset(self.get_queryset().filter(**filters).order_by("-created_at", "-id"))
        return self.get_paginated_response(AlertSerializer([alert_for_clinic(a) for a in page], many=True).data)

    @extend_schema(
        summary="Acknowledge an alert (stops its escalation)",
        request=AlertNoteSerializer,
        responses={200: AlertSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, alert_id=None):
        note = self._note(request)
        alert = alert_acknowledge(alert=self.get_object(), by=request.user, note=note)
        return Response(AlertSerializer(alert_for_clinic(self._reloaded(alert))).data)

    @extend_schema(summary="Resolve an alert", request=AlertNoteSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, alert_id=None):
        note = self._note(request)
        alert = alert_resolve(alert=self.get_object(), by=request.user, note=note)
        return Response(AlertSerializer(alert_for_clinic(self._reloaded(alert))).data)

    def _note(self, request) -> str:
        serializer = AlertNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["note"]

    def _reloaded(self, alert: Alert) -> Alert:
        return self.get_queryset().get(pk=alert.pk)
