"""Reading one patient for a clinician: record, enrolment history, milestones, recent logs."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from config import clock
from patients.models import Patient
from protocols.models import ProtocolVersion
from rehab.models import (
    ClinicalEvent,
    Enrollment,
    ExerciseLog,
    MedicationLog,
    Milestone,
    PainLog,
    SymptomReport,
    VisaAResponse,
)

RECENT_LOGS = 10

# The log kinds a clinician reads, by their path segment; each model's Meta.ordering is newest first.
LOG_KINDS = {
    "pain-logs": PainLog,
    "exercise-logs": ExerciseLog,
    "visa-a": VisaAResponse,
    "symptom-reports": SymptomReport,
    "medication-logs": MedicationLog,
}


def patient_logs(*, patient_id: int, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of a patient's logs, newest first; `since` keeps what the server received after it."""
    model = LOG_KINDS[kind]
    logs = model.objects.filter(patient_id=patient_id)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(*model._meta.ordering, "-id")


def patient_clinical_events(*, patient_id: int) -> QuerySet[ClinicalEvent]:
    return ClinicalEvent.objects.filter(patient_id=patient_id).select_related("recorded_by")


def patient_detail(patient: Patient) -> Patient:
    """The patient with `enrollment_history` (newest first, each with its milestones and `is_current`),
    `current_milestones` and `recent_logs` (the latest of each kind) attached.

    A fixed number of queries: enrolments with their protocol, milestones with who decided, one per log kind.
    """
    today = clock.local_today(patient.timezone)
    milestones = Milestone.objects.select_related("decided_by").order_by("position")
    enrollments = list(
        Enrollment.objects.filter(patient=patient)
        .select_related("protocol_version__protocol")
        .defer("protocol_version__definition")
        .prefetch_related(Prefetch("milestones", queryset=milestones))
        .order_by("-start_date")
    )
    current = next(
        (e for e in enrollments if e.start_date <= today and (e.end_date is None or e.end_date >= today)), None
    )
    for e in enrollments:
        e.is_current = e is current
    shown = current or (enrollments[0] if enrollments else None)
    patient.enrollment_history = enrollments
    patient.current_milestones = list(shown.milestones.all()) if shown else []
    patient.recent_logs = {
        kind.replace("-", "_"): list(patient_logs(patient_id=patient.pk, kind=kind)[:RECENT_LOGS]) for kind in LOG_KINDS
    }
    return patient


def protocol_version_latest(code: str) -> ProtocolVersion | None:
    return ProtocolVersion.objects.filter(protocol__code=code).select_related("protocol").order_by("-version").first()
