"""A clinic admin's "send a test event": a signed `alert.test` through the same outbox as real events.

The event goes where every event goes (an AlertEvent, fanned out to the clinic's active webhook,
delivered after commit, retried, signed with the clinic's secret), so a delivered test proves the
whole path a real alert takes, not a shortcut around it.
"""

from django.db import transaction

from config import clock
from config.errors import Conflict
from patients.models import Clinic, Patient, User
from rehab.alerts.codes import CODES
from rehab.alerts.models import Alert, AlertEvent, WebhookEndpoint
from rehab.alerts.selectors import alert_payload
from rehab.alerts.services.alerts import _kick_after_commit

SAMPLE_CODE = "exercise_pain_high"  # a routine guardrail: nothing a receiver would page anyone for
SAMPLE_REASON = "A test event sent from the clinic settings; no patient is concerned."


class WebhookNotActive(Conflict):
    """There is no active webhook a test event could reach."""


@transaction.atomic
def webhook_test_send(*, clinic: Clinic, by: User) -> AlertEvent:
    """Queue an `alert.test` to the clinic's webhook; raises WebhookNotActive when it has none active.

    The body is `{"id", "type": "alert.test", "created_at", "sent_by": {"id", "display_name"},
    "alert": {...}}` with a sample alert in the shape of every other event's, plus `"test": true`.
    """
    endpoint = WebhookEndpoint.objects.filter(clinic=clinic).first()
    if endpoint is None or not endpoint.active:
        raise WebhookNotActive("The clinic has no active webhook: set one (or turn it on) to send a test event.")
    now = clock.now()
    event = AlertEvent(clinic=clinic, type=AlertEvent.Type.TEST, created_at=now)
    event.payload = {
        "id": str(event.id),
        "type": AlertEvent.Type.TEST.value,
        "created_at": now.isoformat(),
        "sent_by": {"id": by.pk, "display_name": by.display_name or by.username},
        "alert": {**alert_payload(_sample_alert(clinic, now)), "test": True},
    }
    event.save()
    _kick_after_commit()
    return event


def _sample_alert(clinic: Clinic, now) -> Alert:
    # Never saved: built from the model so the sample has exactly the fields real events carry.
    # Id 0 is no row's id (ids start at 1), so a receiver cannot mistake it for a real patient or alert.
    patient = Patient(pk=0, clinic=clinic, display_name="Test patient")
    return Alert(
        pk=0,
        patient=patient,
        clinic=clinic,
        code=SAMPLE_CODE,
        kind=CODES[SAMPLE_CODE].kind,
        severity=CODES[SAMPLE_CODE].severity,
        reason=SAMPLE_REASON,
        evidence={},
        status=Alert.Status.OPEN,
        created_at=now,
        updated_at=now,
    )
