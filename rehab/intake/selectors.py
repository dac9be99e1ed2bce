"""Reading a patient's logs, newest first."""

from datetime import datetime

from django.db.models import QuerySet

from rehab.intake.registry import KINDS


def patient_logs(*, patient_id: int, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of a patient's logs (by sync key), newest entry first; `since` keeps what arrived after it."""
    spec = KINDS[kind]
    logs = spec.model.objects.filter(patient_id=patient_id)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(f"-{spec.when}", "-id")
