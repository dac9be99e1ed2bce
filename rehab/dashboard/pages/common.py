"""What every page of patients and alerts shares: the clinic's zone, the audit entry, the alerts' sentences."""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone

from config.client_address import client_address
from patients.api.base import AUDIT_ACTIONS
from patients.models import Clinic, Patient
from patients.services.audit import audit_record
from protocols.selectors import protocol_versions_by_id
from rehab.alerts.models import Alert
from rehab.dashboard.access import StaffPageMixin, is_staff_member
from rehab.dashboard.presenters import evidence_sentence
from rehab.records.selectors.overview import patient_overview


class ClinicPageMixin(StaffPageMixin):
    """A staff page whose instants read in the clinic's zone (Clinic.time_zone), the zone named on the page.

    Views render inside the zone (django.shortcuts.render, not a lazy TemplateResponse).
    """

    def dispatch(self, request, *args, **kwargs):
        if not is_staff_member(request):
            return super().dispatch(request, *args, **kwargs)  # refused there
        self.clinic = request.user.clinic
        self.zone = ZoneInfo(self.clinic.time_zone)
        with timezone.override(self.zone):
            return super().dispatch(request, *args, **kwargs)


def audit_page(request: HttpRequest, patient_ids: Iterable[int]) -> None:
    """The entry the API writes for the same read or change (patients.api.base): one per patient shown."""
    audit_record(
        actor=request.user,
        action=AUDIT_ACTIONS.get(request.method, request.method.lower()),
        resource=request.get_full_path(),
        patient_ids=[pk for pk in patient_ids if pk is not None],
        ip_address=client_address(request),
    )


def alerts_with_sentences(alerts: list[Alert], *, zone: ZoneInfo) -> list[Alert]:
    """Each alert with `evidence_text`; review alerts read their bar from their protocol version (one query)."""
    versions = protocol_versions_by_id() if any(a.milestone_id for a in alerts) else {}
    for alert in alerts:
        rules = None
        if alert.milestone_id:
            version = versions.get(alert.milestone.enrollment.protocol_version_id)
            rules = None if version is None else version.definition.rules
        alert.evidence_text = evidence_sentence(alert, rules=rules, zone=zone)
    return alerts


def patient_page_context(patient: Patient, *, clinic: Clinic) -> dict:
    """What the patient's page shows, for its own view and for an action's answer that renders it again."""
    zone = ZoneInfo(clinic.time_zone)
    overview = patient_overview(patient=patient)
    alerts_with_sentences(overview.alerts, zone=zone)
    return {"nav": "patients", "o": overview, "patient": overview.patient, "clinic_zone": clinic.time_zone}
