"""The outbox delivered: clinic webhook, admin email, escalation, retries."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from rehab.alerts.models import Alert, AlertEvent, Delivery, DeliveryAttempt, WebhookEndpoint
from rehab.alerts.services.alerts import alert_acknowledge, alerts_escalate_due
from rehab.alerts.services.delivery import RETRY_DELAYS, delivery_sweep
from rehab.alerts.webhook_urls import webhook_url_validate
from tests.factories import ClinicAdminFactory, enrolled_patient
from tests.support import logs
from tests.support.clock import NOW
from tests.support.receiver import Receiver, body_of, signature_valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

SECRET = "clinic-shared-secret"


@pytest.fixture
def patient():
    return enrolled_patient("post-surgical-calcific-iat", start=date(2026, 3, 1))


def webhook(patient, url: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(clinic=patient.clinic, url=url, secret=SECRET)


def red_flag(patient, tier="same_day", symptom="calf_pain"):
    logs.symptoms(patient, NOW, [symptom], tier=tier)
    return Alert.objects.get(patient=patient, code=f"red_flag_{'next_day' if tier == 'next_working_day' else tier}")


def test_an_alert_reaches_the_clinic_webhook_signed_with_its_event_id_and_no_free_text(patient):
    with Receiver() as receiver:
        webhook(patient, receiver.url)
        alert = red_flag(patient)
        delivery_sweep()
        delivery_sweep()  # a second sweep sends nothing again
    [request] = receiver.requests
    event = AlertEvent.objects.get(alert=alert)
    assert signature_valid(SECRET, request)
    assert request["headers"]["X-Rehab-Event-Id"] == str(event.id)
    body = body_of(request)
    assert body["id"] == str(event.id) and body["type"] == "alert.created"
    assert body["alert"]["code"] == "red_flag_same_day" and body["alert"]["patient"]["id"] == patient.pk
    assert "note" not in request["body"].decode()
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert DeliveryAttempt.objects.get(delivery=delivery).status_code == 200


def test_a_failing_webhook_is_retried_with_growing_delays_and_the_same_event_id_for_a_day(patient, frozen_clock):
    with Receiver(statuses=[503]) as receiver:
        webhook(patient, receiver.url)
        red_flag(patient)
        delivery_sweep()
        due_times = []
        for _ in range(5):
            delivery = Delivery.objects.get()
            due_times.append(delivery.next_attempt_at)
            frozen_clock.move_to(delivery.next_attempt_at)
            delivery_sweep()
        gaps = [b - a for a, b in zip([NOW, *due_times], due_times, strict=False)]
        assert gaps == RETRY_DELAYS[:5]
        frozen_clock.move_to(NOW + timedelta(hours=23))
        delivery_sweep()
        last_try = Delivery.objects.get()
        assert last_try.status == "pending" and last_try.next_attempt_at > NOW + timedelta(hours=24)
        frozen_clock.move_to(last_try.next_attempt_at)
        delivery_sweep()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 8
    assert len(set(receiver.event_ids())) == 1 and sum(receiver.event_ids().values()) == 8
    assert {r["body"] for r in receiver.requests} == {receiver.requests[0]["body"]}


def test_a_webhook_that_recovers_is_delivered_on_the_next_attempt(patient, frozen_clock):
    with Receiver(statuses=[500, 200]) as receiver:
        webhook(patient, receiver.url)
        red_flag(patient)
        delivery_sweep()
        frozen_clock.move_to(Delivery.objects.get().next_attempt_at)
        delivery_sweep()
    assert Delivery.objects.get().status == "delivered"
    assert list(receiver.event_ids().values()) == [2]


def test_a_410_disables_the_endpoint_emails_the_clinic_admin_and_later_events_skip_it(patient):
    ClinicAdminFactory(clinic=patient.clinic, email="boss@clinic.example")
    with Receiver(statuses=[410]) as receiver:
        endpoint = webhook(patient, receiver.url)
        red_flag(patient)
        delivery_sweep()
        red_flag(patient, tier="emergency", symptom="fainting")
        delivery_sweep()
    endpoint.refresh_from_db()
    assert endpoint.active is False and "410" in endpoint.disabled_reason
    assert Delivery.objects.get().status == "failed"
    assert len(receiver.requests) == 1
    [email] = mail.outbox
    assert "webhook was disabled" in email.subject
    assert sorted(email.to) == sorted(["boss@clinic.example", patient.clinic.admin_email])


def test_private_and_plain_http_urls_are_refused_in_production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/", "https://localhost/",
                "https://169.254.169.254/latest", "https://[::1]/", "ftp://example.com/"):  # fmt: skip
        with pytest.raises(ValidationError):
            webhook_url_validate(url)
    webhook_url_validate("https://93.184.215.14/hooks")  # a public address passes


def test_local_settings_allow_a_receiver_on_the_loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    webhook_url_validate("http://127.0.0.1:8140/hooks")


def test_a_private_url_is_refused_again_at_send_time_in_production(patient, settings):
    with Receiver() as receiver:
        # Stored while allowed (or DNS changed since); production refuses it when sending.
        endpoint = webhook(patient, receiver.url.replace("http://", "https://"))
        settings.WEBHOOK_ALLOW_PRIVATE = False
        red_flag(patient)
        delivery_sweep()
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "loopback, private or reserved" in delivery.last_error
    endpoint.refresh_from_db()
    assert endpoint.active is False and "refused URL" in endpoint.disabled_reason


def test_an_unacknowledged_urgent_alert_escalates_once_after_four_hours_to_admin_email_and_webhook(
    patient, frozen_clock
):
    ClinicAdminFactory(clinic=patient.clinic, email="boss@clinic.example")
    with Receiver() as receiver:
        webhook(patient, receiver.url)
        alert = red_flag(patient)
        assert alerts_escalate_due(now=NOW + timedelta(hours=3, minutes=59)) == []
        frozen_clock.move_to(NOW + timedelta(hours=4))
        assert alerts_escalate_due(now=NOW + timedelta(hours=4)) == [alert.pk]
        assert alerts_escalate_due(now=NOW + timedelta(hours=5)) == []
        delivery_sweep()
    types = sorted(body_of(r)["type"] for r in receiver.requests)
    assert types == ["alert.created", "alert.escalated"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["boss@clinic.example", patient.clinic.admin_email])
    assert "Escalated" in mail.outbox[0].subject


def test_an_emergency_escalates_after_fifteen_minutes_and_an_acknowledged_one_does_not(patient):
    emergency = red_flag(patient, tier="emergency", symptom="fainting")
    urgent = red_flag(patient)
    alert_acknowledge(alert=urgent, by=ClinicAdminFactory(clinic=patient.clinic))
    assert alerts_escalate_due(now=NOW + timedelta(minutes=14)) == []
    assert alerts_escalate_due(now=NOW + timedelta(hours=5)) == [emergency.pk]


def test_a_delivery_left_sending_by_a_dead_worker_is_sent_after_the_claim_timeout(patient, frozen_clock, settings):
    settings.DELIVERY_CLAIM_TIMEOUT_SECONDS = 60
    with Receiver() as receiver:
        webhook(patient, receiver.url)
        red_flag(patient)
        delivery_sweep()
        Delivery.objects.update(status="sending", claimed_at=NOW, delivered_at=None)  # as a killed worker leaves it
        receiver.requests.clear()
        delivery_sweep()
        assert receiver.requests == []
        frozen_clock.move_to(NOW + timedelta(seconds=61))
        delivery_sweep()
    assert len(receiver.requests) == 1 and Delivery.objects.get().status == "delivered"
