"""The patients page, one patient's page, the alerts inbox and the top bar's count: doors onto selectors.

Every page that shows a patient writes the API's audit entry for the patients it
shows; another clinic's patient or alert is a 404, as in the API.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views import View

from config.errors import DomainError
from patients.models import Patient
from rehab.alerts.api.serializers import AlertNoteSerializer
from rehab.alerts.models import Alert
from rehab.alerts.selectors import clinic_alerts_inbox
from rehab.alerts.services.alerts import alert_acknowledge, alert_resolve
from rehab.dashboard.access import safe_next
from rehab.dashboard.pages.common import ClinicPageMixin, alerts_with_sentences, audit_page, patient_page_context
from rehab.dashboard.pages.queries import (
    ALL,
    MINE,
    PAGE_SIZES,
    AlertsPageQuerySerializer,
    PatientsPageQuerySerializer,
    errors_in_words,
    given,
)
from rehab.records.selectors.dashboard import BY_NEED, DashboardQuery, PatientDashboard
from rehab.records.selectors.sparklines import pain_sparklines

DASHBOARD_FIELDS = ("search", "has_open_alerts", "phase", "status", "ordering")
ORDERINGS = (
    (BY_NEED, "Need: alerts, then reviews due"),
    ("display_name", "Name, A to Z"),
    ("-display_name", "Name, Z to A"),
    ("-pain_7d_mean", "Pain, highest first"),
    ("pain_7d_mean", "Pain, lowest first"),
    ("adherence_7d", "Adherence, lowest first"),
    ("-adherence_7d", "Adherence, highest first"),
    ("-last_log_at", "Last log, newest first"),
    ("last_log_at", "Last log, oldest first"),
    ("-day", "Day, furthest first"),
    ("day", "Day, earliest first"),
    ("-open_alerts", "Open alerts, most first"),
)


class PatientsPage(ClinicPageMixin, View):
    """The landing page: the API's dashboard rows, my patients first, ordered by need."""

    def get(self, request):
        query = PatientsPageQuerySerializer(data=given(request.GET))
        if not query.is_valid():
            return self._render(request, query=None, errors=errors_in_words(query.errors), status=400)
        q = query.validated_data
        dashboard = PatientDashboard(
            clinic_id=self.clinic.pk,
            query=DashboardQuery(
                **{k: q[k] for k in DASHBOARD_FIELDS if k in q},
                assigned_physio_id=request.user.pk if q["scope"] == MINE else None,
                exclude_discharged=not q["discharged"] and q.get("status") != Patient.Status.DISCHARGED,
            ),
        )
        page = Paginator(dashboard.patients, q["page_size"]).get_page(q["page"])
        patients = list(page.object_list)
        rows = dashboard.rows(patients)
        sparklines = pain_sparklines((p.pk, p.local_today) for p in patients)
        phases = _phases(dashboard)
        for patient, row in zip(patients, rows, strict=True):
            row["need"] = patient.need if hasattr(patient, "need") else None
            row["sparkline"] = sparklines[patient.pk]
            row["phase_name"] = dict(phases).get(row["phase"])
            if row["next_milestone"] is not None:
                row["next_milestone"]["name"] = _milestone_name(dashboard, patient, row["next_milestone"]["code"])
        audit_page(request, [p.pk for p in patients])
        return self._render(request, query=q, rows=rows, page=page, phases=phases)

    def _render(self, request, *, query, errors=(), status=200, **context):
        return render(
            request,
            "dashboard/patients/list.html",
            {
                "nav": "patients",
                "query": query or {},
                "errors": errors,
                "scopes": ((MINE, "My patients"), (ALL, "All in clinic")),
                "page_sizes": PAGE_SIZES,
                "orderings": ORDERINGS,
                "statuses": Patient.Status.choices,
                "clinic_zone": self.clinic.time_zone,
                **context,
            },
            status=status,
        )


def _phases(dashboard: PatientDashboard) -> list[tuple[str, str]]:
    """Every phase code any published protocol has, for the filter (the API's ?phase= takes any)."""
    seen = {}
    for version in dashboard.versions.values():
        for phase in version.definition.phases:
            seen.setdefault(phase.code, phase.name)
    return sorted(seen.items(), key=lambda item: item[1])


def _milestone_name(dashboard: PatientDashboard, patient: Patient, code: str) -> str:
    """The milestone's name in the patient's own protocol version (the row names its code only, as the API does).

    Read from the versions the dashboard already holds: no query per row.
    """
    version = dashboard.versions.get(patient.enrollment_version_id)
    try:
        return version.definition.milestone(code).name
    except (AttributeError, KeyError):  # no version, or a code it lacks: the code in words still says it
        return code.replace("_", " ").replace("-", " ")


class PatientPage(ClinicPageMixin, View):
    """One patient, read-only: header, charts, timeline, recent logs, alerts."""

    def get(self, request, id: int):
        patient = get_object_or_404(Patient.objects.select_related("assigned_physio"), pk=id, clinic_id=self.clinic.pk)
        audit_page(request, [patient.pk])
        return render(request, "dashboard/patients/detail.html", patient_page_context(patient, clinic=self.clinic))


class AlertsInbox(ClinicPageMixin, View):
    """The clinic's alerts, open ones by default, gravest then oldest first."""

    def get(self, request):
        query = AlertsPageQuerySerializer(data=given(request.GET))
        context = {
            "nav": "alerts",
            "statuses": [*Alert.Status.choices, ("any", "Any")],
            "kinds": Alert.Kind.choices,
            "severities": Alert.Severity.choices,
            "page_sizes": PAGE_SIZES,
            "clinic_zone": self.clinic.time_zone,
            "patients": Patient.objects.filter(clinic_id=self.clinic.pk)
            .order_by("display_name")
            .values_list("pk", "display_name"),
        }
        if not query.is_valid():
            context.update(errors=errors_in_words(query.errors), query={})
            return render(request, "dashboard/alerts/inbox.html", context, status=400)
        q = dict(query.validated_data)
        page_number, page_size = q.pop("page"), q.pop("page_size")
        page = Paginator(clinic_alerts_inbox(clinic_id=self.clinic.pk, filters=q), page_size).get_page(page_number)
        alerts = alerts_with_sentences(list(page.object_list), zone=self.zone)
        audit_page(request, {a.patient_id for a in alerts})
        context.update(alerts=alerts, page=page, query={**query.validated_data, "status": request.GET.get("status")})
        return render(request, "dashboard/alerts/inbox.html", context)


class AlertCount(ClinicPageMixin, View):
    """The top bar's count, polled every minute (marked as a background poll, so it keeps no session alive)."""

    def get(self, request):
        return render(request, "dashboard/alerts/_open_count.html")


class AlertChange(ClinicPageMixin, View):
    """Acknowledge or resolve with a note, through the API's services; answers the alert's row in place."""

    change = None  # alert_acknowledge or alert_resolve

    def post(self, request, alert_id: int):
        alert = get_object_or_404(_inbox_alerts(self.clinic.pk), pk=alert_id)
        # The form also carries its CSRF token and where to come back to: only the note is the API's input.
        note = AlertNoteSerializer(data={"note": request.POST.get("note", "")})
        errors = []
        if note.is_valid():
            try:
                self.change(alert=alert, by=request.user, note=note.validated_data["note"])
            except DomainError as exc:
                errors = [str(exc)]
        else:
            errors = errors_in_words(note.errors)
        alert = _inbox_alerts(self.clinic.pk).get(pk=alert.pk)
        audit_page(request, [alert.patient_id])
        if not request.htmx:  # without script: back to the inbox, with the refusal as a message
            for error in errors:
                messages.error(request, error)
            return HttpResponseRedirect(_back_to(request))
        alerts_with_sentences([alert], zone=self.zone)
        return render(
            request,
            "dashboard/alerts/_changed.html",
            {"alert": alert, "errors": errors, "clinic_zone": self.clinic.time_zone},
        )


def _inbox_alerts(clinic_id: int):
    return Alert.objects.filter(clinic_id=clinic_id).select_related(
        "patient", "milestone__enrollment", "milestone__decided_by", "acknowledged_by", "resolved_by"
    )


class AlertAcknowledge(AlertChange):
    change = staticmethod(alert_acknowledge)


class AlertResolve(AlertChange):
    change = staticmethod(alert_resolve)


def _back_to(request) -> str:
    """The page the form was on, if it is one of ours (never an address the request names elsewhere)."""
    return safe_next(request, request.POST.get("next"), fallback="dashboard:alerts")
