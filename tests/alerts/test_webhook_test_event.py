"""A clinic admin's test event: a signed `alert.test` through the real outbox, listed with the deliveries."""

import pytest

from rehab.alerts.models import AlertEvent, Delivery, WebhookEndpoint
from rehab.alerts.services.delivery import delivery_sweep, events_fan_out
from rehab.alerts.services.webhook_test import webhook_test_send
from rehab.alerts.webhook_deliveries import webhook_deliveries_recent
from tests.support.patient_api import client_for
from tests.support.receiver import Receiver, body_of, signature_valid

pytestmark = pytest.mark.usefixtures("frozen_now")

SECRET = "clinic-shared-secret-for-tests"
URL = "/api/v1/clinic/webhook/test/"


def test_a_test_event_reaches_the_webhook_signed_with_a_sample_alert_marked_test(clinic, clinic_admin):
    with Receiver() as receiver:
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret=SECRET)
        event = webhook_test_send(clinic=clinic, by=clinic_admin)
        delivery_sweep()
    [request] = receiver.requests
    assert signature_valid(SECRET, request)
    assert request["headers"]["X-Rehab-Event-Id"] == str(event.id)
    body = body_of(request)
    assert body["id"] == str(event.id) and body["type"] == "alert.test"
    assert body["alert"]["test"] is True and body["alert"]["patient"]["id"] == 0
    assert body["sent_by"] == {"id": clinic_admin.pk, "display_name": "Carol"}
    # The sample has every field a real event's alert has.
    assert set(body["alert"]) >= {"id", "patient", "kind", "severity", "code", "reason", "evidence", "status"}
    [row] = webhook_deliveries_recent(clinic_id=clinic.pk)
    assert row["event_type"] == "alert.test" and row["status"] == "delivered"
    assert row["attempts"] == 1 and row["response_code"] == 200


def test_a_failed_test_event_is_listed_with_its_response_code_and_retried_like_any_event(clinic, clinic_admin):
    with Receiver(statuses=[503]) as receiver:
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret=SECRET)
        webhook_test_send(clinic=clinic, by=clinic_admin)
        delivery_sweep()
    [row] = webhook_deliveries_recent(clinic_id=clinic.pk)
    assert row["status"] == "pending" and row["response_code"] == 503 and row["attempts"] == 1


def test_the_deliveries_list_is_the_clinics_own_newest_first_and_at_most_fifty(clinic, clinic_admin, other_physio):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret=SECRET)
    WebhookEndpoint.objects.create(clinic=other_physio.clinic, url="https://hooks.example.com/y", secret=SECRET)
    for _ in range(52):
        webhook_test_send(clinic=clinic, by=clinic_admin)
    webhook_test_send(clinic=other_physio.clinic, by=other_physio)
    events_fan_out()
    rows = webhook_deliveries_recent(clinic_id=clinic.pk)
    assert len(rows) == 50
    ours = set(AlertEvent.objects.filter(clinic=clinic).values_list("id", flat=True))
    assert {r["event_id"] for r in rows} <= ours
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)


def test_no_test_event_without_an_active_webhook(clinic, clinic_admin):
    client = client_for(clinic_admin)
    response = client.post(URL)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret=SECRET, active=False)
    assert client.post(URL).status_code == 409
    assert not AlertEvent.objects.exists()


def test_the_api_queues_a_test_event_for_a_clinic_admin_and_refuses_a_physio(clinic, clinic_admin, physio):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret=SECRET)
    assert client_for(physio).post(URL).status_code == 403
    response = client_for(clinic_admin).post(URL)
    assert response.status_code == 202, response.content
    event = AlertEvent.objects.get()
    assert response.json() == {"id": str(event.id), "type": "alert.test"}
    assert event.alert_id is None and event.clinic_id == clinic.pk
    events_fan_out()
    assert Delivery.objects.get(event=event).priority == Delivery.Priority.ROUTINE
