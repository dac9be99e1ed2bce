"""Reading a patient's logs, newest first."""

from datetime import datetime

from django.db.models import QuerySet

from patients.models import Patient
from rehab.intake.registry import KINDS
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse


def patient_logs(*, patient: Patient, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of log of one patient, newest entry first; `since` keeps what arrived after it."""
    spec = KINDS[kind]
    logs = spec.model.objects.filter(patient=patient)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(f"-{spec.when}", "-id")


# The log kinds a clinician reads, by their path segment; each model's Meta.ordering is newest first.
LOG_KINDS = {
    "pain-logs": PainLog,
    "exercise-logs": ExerciseLog,
    "visa-a": VisaAResponse,
    "symptom-reports": SymptomReport,
    "medication-logs": MedicationLog,
}


def patient_logs_by_path(*, patient_id: int, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of a patient's logs, newest first; `since` keeps what the server received after it."""
    model = LOG_KINDS[kind]
    logs = model.objects.filter(patient_id=patient_id)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(*model._meta.ordering, "-id")
