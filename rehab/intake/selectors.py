"""Reading a patient's logs, newest first."""

from datetime import datetime

from django.db.models import QuerySet

from rehab.intake.registry import KINDS


def patient_logs(*, patient_id: int, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of a patient's logs (by sync key), newest entry first; `since` keeps what arrived after it."""
    log_kind = KINDS[kind]
    logs = log_kind.model.objects.filter(patient_id=patient_id)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(f"-{log_kind.when}", "-id")
