"""Outbox events about a patient rather than an alert: `patient.erased` (the contract's clinic webhook).

Written in the caller's transaction like an alert's events, and delivered the same way (after
commit, at least once, signed): the clinic's systems learn which pseudonymous id to forget.
"""

from django.db import transaction

from config import clock
from rehab.alerts.models import AlertEvent
from rehab.alerts.services.alerts import _kick_after_commit


@transaction.atomic
def patient_erased_event_write(*, clinic_id: int, patient_id: int) -> AlertEvent:
    """The `patient.erased` event: `{"id", "type", "created_at", "patient": {"id"}}`, nothing else."""
    now = clock.now()
    event = AlertEvent(clinic_id=clinic_id, type=AlertEvent.Type.PATIENT_ERASED, created_at=now)
    event.payload = {
        "id": str(event.id),
        "type": AlertEvent.Type.PATIENT_ERASED.value,
        "created_at": now.isoformat(),
        "patient": {"id": patient_id},
    }
    event.save()
    _kick_after_commit()
    return event
