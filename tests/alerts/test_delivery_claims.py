"""A delivery's priority: urgent ones go first, and one a dead worker left "sending" goes again within two minutes.

An emergency escalates to the clinic admin 15 minutes after it is raised; a
delivery claimed by a worker that died must not sit out most of that window.
Routine ones keep the longer claim timeout. (A live worker's heartbeat, which
keeps a slow batch from being sent twice, is tested on two real connections
in tests/jobs/test_concurrency.py.)
"""

from datetime import timedelta

import pytest

from patients.models import Device
from rehab.alerts.models import Alert, AlertEvent, Delivery, WebhookEndpoint
from rehab.alerts.services.alerts import alert_raise, alert_resolve, alerts_escalate_due
from rehab.alerts.services.delivery import delivery_sweep, events_fan_out
from rehab.reminders.models import Reminder
from rehab.reminders.services import reminders_send_due
from tests.factories import ClinicAdminFactory, ClinicFactory, PatientFactory
from tests.support.clock import NOW
from tests.support.receiver import Receiver, body_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ROUTINE_TIMEOUT = timedelta(seconds=600)  # DELIVERY_CLAIM_TIMEOUT_SECONDS' default


@pytest.fixture
def clinic():
    return ClinicFactory()


def raised(clinic, code: str) -> Alert:
    return alert_raise(patient=PatientFactory(clinic=clinic), code=code, reason="r", evidence={})[0]


def left_sending_by_a_dead_worker() -> None:
    """As a SIGKILLed worker leaves its batch: claimed at NOW, never renewed, never recorded."""
    events_fan_out()
    Delivery.objects.update(status="sending", claimed_at=NOW)


@pytest.mark.parametrize("code", ["red_flag_emergency", "red_flag_same_day"])
def test_an_urgent_delivery_a_dead_worker_held_is_sent_again_within_two_minutes(clinic, code, frozen_clock):
    with Receiver() as receiver:
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret="s")
        raised(clinic, code)
        left_sending_by_a_dead_worker()
        frozen_clock.move_to(NOW + timedelta(seconds=30))
        delivery_sweep()
        assert receiver.requests == []  # a claim this fresh may belong to a worker still sending
        frozen_clock.move_to(NOW + timedelta(minutes=2))
        delivery_sweep()
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == "delivered"


def test_a_routine_delivery_a_dead_worker_held_waits_for_the_routine_claim_timeout(clinic, frozen_clock):
    with Receiver() as receiver:
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret="s")
        raised(clinic, "nsaid_long_term")
        left_sending_by_a_dead_worker()
        for later in (timedelta(minutes=2), ROUTINE_TIMEOUT - timedelta(seconds=1)):
            frozen_clock.move_to(NOW + later)
            delivery_sweep()
            assert receiver.requests == []
        frozen_clock.move_to(NOW + ROUTINE_TIMEOUT + timedelta(seconds=1))
        delivery_sweep()
    assert len(receiver.requests) == 1


def test_urgent_deliveries_are_sent_before_routine_ones_that_were_due_earlier(clinic, frozen_clock):
    with Receiver() as receiver:
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret="s")
        raised(clinic, "nsaid_long_term")
        events_fan_out(now=NOW - timedelta(minutes=5))  # due five minutes before the others
        raised(clinic, "red_flag_same_day")
        raised(clinic, "red_flag_emergency")
        delivery_sweep()
    codes = [body_of(r)["alert"]["code"] for r in receiver.requests]
    assert codes == ["red_flag_emergency", "red_flag_same_day", "nsaid_long_term"]


def test_each_delivery_carries_its_alerts_severity_and_news_of_a_resolution_or_a_reminder_is_routine(clinic):
    admin = ClinicAdminFactory(clinic=clinic, email="boss@clinic.example")
    WebhookEndpoint.objects.create(clinic=clinic, url="http://127.0.0.1:9/hooks", secret="s")
    emergency, urgent = raised(clinic, "red_flag_emergency"), raised(clinic, "red_flag_same_day")
    routine = raised(clinic, "nsaid_long_term")
    alerts_escalate_due(now=NOW + timedelta(hours=5))
    alert_resolve(alert=urgent, by=admin)
    events_fan_out()
    priority = {
        (d.event.alert.code, d.event.type, d.channel): Delivery.Priority(d.priority).label
        for d in Delivery.objects.select_related("event__alert")
    }
    created, escalated, resolved = AlertEvent.Type.CREATED, AlertEvent.Type.ESCALATED, AlertEvent.Type.RESOLVED
    assert priority[(emergency.code, created, "webhook")] == "emergency"
    assert priority[(emergency.code, escalated, "webhook")] == "emergency"
    assert priority[(emergency.code, escalated, "email")] == "emergency"
    assert priority[(urgent.code, created, "webhook")] == "urgent"
    assert priority[(urgent.code, resolved, "webhook")] == "routine"
    assert priority[(routine.code, created, "webhook")] == "routine"

    patient = PatientFactory(clinic=clinic)
    Device.objects.create(patient=patient, platform="ios", token="phone")
    Reminder.objects.create(patient=patient, kind="exercise", slot="today", due_at=NOW, title="t", body="b",
                            created_at=NOW)  # fmt: skip
    reminders_send_due(now=NOW)
    assert Delivery.objects.get(reminder__isnull=False).priority == Delivery.Priority.ROUTINE
