"""Reading a patient's logs, newest first."""

from datetime import datetime

from django.db.models import QuerySet

from patients.models import Patient
from rehab.log_kinds import KINDS


def patient_logs(*, patient: Patient, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of log of one patient, newest entry first; `since` keeps what arrived after it."""
    spec = KINDS[kind]
    logs = spec.model.objects.filter(patient=patient)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(f"-{spec.when}", "-id")
