"""The clinic settings page: the webhook, its deliveries and a test event, the time zone (clinic admins only)."""

import re

import pytest
from django.test import Client

from patients.models import AuditEntry, Clinic
from rehab.alerts.models import AlertEvent, WebhookEndpoint
from rehab.alerts.services.delivery import delivery_sweep, events_fan_out
from rehab.dashboard.models import FormSubmission
from tests.factories import ClinicAdminFactory
from tests.support.patient_api import client_for
from tests.support.receiver import Receiver, body_of, signature_valid

pytestmark = pytest.mark.usefixtures("frozen_now")

PAGE = "/clinic/settings/"
SAVE = "/clinic/settings/webhook/"
ROTATE = "/clinic/settings/webhook/secret/"
TEST = "/clinic/settings/webhook/test/"
ZONE = "/clinic/settings/time-zone/"
ACTIONS = (SAVE, ROTATE, TEST, ZONE)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_of(html: str, action: str) -> str:
    """The one-time token of the form posting to `action`, as a browser would send it back."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S).group(0)
    return re.search(r'name="form_token" value="([^"]+)"', form).group(1)


def page_token(client, action: str) -> str:
    return token_of(client.get(PAGE).content.decode(), action)


def shown_secret(html: str) -> str | None:
    found = re.search(r'data-testid="webhook-secret">([^<]+)<', html)
    return found.group(1) if found else None


def save_webhook(client, url: str, *, active: bool = True, token: str | None = None):
    body = {"url": url, "form_token": token or page_token(client, SAVE)}
    if active:
        body["active"] = "on"
    return client.post(SAVE, body)


@pytest.fixture
def admin(clinic_admin):
    return signed_in(clinic_admin)


# --- who may open it -------------------------------------------------------------------------------------
def test_a_physio_gets_403_on_the_page_and_on_every_action(clinic, physio):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32)
    client = signed_in(physio)
    assert client.get(PAGE).status_code == 403
    for action in ACTIONS:
        assert client.post(action, {"url": "https://evil.example.com/", "time_zone": "Asia/Tokyo"}).status_code == 403
    assert WebhookEndpoint.objects.get().url == "https://hooks.example.com/x"
    assert not AlertEvent.objects.exists() and Clinic.objects.get(pk=clinic.pk).time_zone == "UTC"


def test_without_a_session_the_page_sends_to_the_sign_in(db):
    response = Client().get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_an_admin_sees_only_their_own_clinics_webhook_and_deliveries(clinic, clinic_admin, other_physio):
    other_admin = ClinicAdminFactory(clinic=other_physio.clinic)
    WebhookEndpoint.objects.create(clinic=other_physio.clinic, url="https://theirs.example.com/hook", secret="s" * 32)
    signed_in(other_admin).post(TEST, {"form_token": page_token(signed_in(other_admin), TEST)})
    delivery_sweep()
    html = signed_in(clinic_admin).get(PAGE).content.decode()
    assert "theirs.example.com" not in html and "alert.test" not in html and "No deliveries yet" in html


# --- the webhook -------------------------------------------------------------------------------------------
def test_a_first_webhook_gets_a_secret_shown_once_and_audited(clinic, clinic_admin, admin):
    response = save_webhook(admin, "https://hooks.example.com/rehab")
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get(clinic=clinic)
    assert (endpoint.url, endpoint.active) == ("https://hooks.example.com/rehab", True)
    first = admin.get(response["Location"]).content.decode()
    assert shown_secret(first) == endpoint.secret and len(endpoint.secret) >= 32
    assert shown_secret(admin.get(response["Location"]).content.decode()) is None  # once
    entry = AuditEntry.objects.get(actor=clinic_admin, resource=f"clinic:{clinic.pk} webhook")
    assert entry.action == "update" and entry.patient_id is None and entry.at is not None


def test_the_page_saves_the_webhook_as_the_api_does_for_the_same_input(clinic, admin, other_physio):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://old.example.com/", secret="s" * 32, active=False,
                                   disabled_reason="410 Gone")  # fmt: skip
    their_admin = ClinicAdminFactory(clinic=other_physio.clinic)
    WebhookEndpoint.objects.create(clinic=their_admin.clinic, url="https://old.example.com/", secret="s" * 32,
                                   active=False, disabled_reason="410 Gone")  # fmt: skip
    save_webhook(admin, "https://hooks.example.com/new")
    api = client_for(their_admin).put(
        "/api/v1/clinic/webhook/", {"url": "https://hooks.example.com/new"}, format="json"
    )
    assert api.status_code == 200
    ours, theirs = (WebhookEndpoint.objects.get(clinic=c) for c in (clinic, their_admin.clinic))
    fields = ("url", "active", "disabled_reason", "disabled_at", "secret")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]


def test_a_refused_url_shows_the_apis_message_next_to_the_field_and_keeps_what_was_typed(clinic, clinic_admin, admin):
    typed = "ftp://hooks.example.com/x"
    response = save_webhook(admin, typed)
    assert response.status_code == 400
    html = response.content.decode()
    api = client_for(clinic_admin).put("/api/v1/clinic/webhook/", {"url": typed, "secret": "s" * 32}, format="json")
    [message] = api.json()["error"]["fields"]["url"]
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S).group(0)
    assert 'id="webhook-url-error"' in field and message in field.replace("&#x27;", "'")
    assert f'value="{typed}"' in field
    assert not WebhookEndpoint.objects.exists()


def test_a_refused_form_is_sent_again_with_its_token_and_then_saved(clinic, admin):
    token = page_token(admin, SAVE)
    refused = save_webhook(admin, "not a url", token=token)
    assert token_of(refused.content.decode(), SAVE) == token  # the claim was rolled back with the refusal
    assert save_webhook(admin, "https://hooks.example.com/x", token=token).status_code == 302
    assert WebhookEndpoint.objects.get().url == "https://hooks.example.com/x"


def test_a_double_submit_saves_once_and_both_answers_show_the_same_secret(clinic, clinic_admin, admin):
    token = page_token(admin, SAVE)
    first = save_webhook(admin, "https://hooks.example.com/x", token=token)
    again = save_webhook(admin, "https://hooks.example.com/x", token=token)
    assert first["Location"] == again["Location"]
    assert AuditEntry.objects.filter(resource=f"clinic:{clinic.pk} webhook").count() == 1
    assert shown_secret(admin.get(again["Location"]).content.decode()) == WebhookEndpoint.objects.get().secret


def test_turning_the_webhook_off_and_on_again_clears_why_it_was_disabled(clinic, admin):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32, active=False,
                                   disabled_reason="410 Gone from the receiver")  # fmt: skip
    assert "410 Gone from the receiver" in admin.get(PAGE).content.decode()
    save_webhook(admin, "https://hooks.example.com/x", active=True)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.active and endpoint.disabled_reason == "" and endpoint.secret == "s" * 32


def test_rotating_the_secret_shows_the_new_one_once_and_a_double_submit_rotates_once(clinic, clinic_admin, admin):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32)
    token = page_token(admin, ROTATE)
    first = admin.post(ROTATE, {"form_token": token})
    rotated = WebhookEndpoint.objects.get().secret
    again = admin.post(ROTATE, {"form_token": token})
    assert first.status_code == again.status_code == 302 and rotated != "s" * 32
    assert WebhookEndpoint.objects.get().secret == rotated
    assert shown_secret(admin.get(again["Location"]).content.decode()) == rotated
    assert AuditEntry.objects.filter(actor=clinic_admin, resource__endswith="webhook secret rotated").count() == 1


def test_a_form_without_its_token_is_refused_and_stores_nothing(clinic, admin):
    response = admin.post(SAVE, {"url": "https://hooks.example.com/x", "active": "on"})
    assert response.status_code == 400 and "This form has expired" in response.content.decode()
    assert not WebhookEndpoint.objects.exists() and not FormSubmission.objects.exists()


# --- the test event ----------------------------------------------------------------------------------------
def test_a_test_event_is_delivered_signed_through_the_outbox_and_listed_with_its_code(clinic, clinic_admin, admin):
    with Receiver() as receiver:
        secret = shown_secret(admin.get(save_webhook(admin, receiver.url)["Location"]).content.decode())
        token = page_token(admin, TEST)
        assert admin.post(TEST, {"form_token": token}).status_code == 302
        assert admin.post(TEST, {"form_token": token}).status_code == 302  # a double click: one event
        delivery_sweep()
    [request] = receiver.requests
    assert signature_valid(secret, request)
    event = AlertEvent.objects.get()
    assert body_of(request)["type"] == "alert.test" and body_of(request)["alert"]["test"] is True
    assert request["headers"]["X-Rehab-Event-Id"] == str(event.id)
    html = admin.get(PAGE).content.decode()
    row = re.search(r'<tr class="delivery-delivered">.*?</tr>', html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[1:5] == ["alert.test", "delivered", "1", "200"] and cells[6] == str(event.id)
    assert AuditEntry.objects.filter(actor=clinic_admin, resource__contains=f"test event {event.id}").count() == 1


def test_no_test_event_without_an_active_webhook_and_the_reason_is_shown(clinic, admin):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32, active=False)
    response = admin.post(TEST, {"form_token": page_token(admin, TEST)})
    assert response.status_code == 400 and "no active webhook" in response.content.decode()
    assert not AlertEvent.objects.exists()


def test_the_deliveries_fragment_is_for_clinic_admins(clinic, physio, admin):
    assert signed_in(physio).get("/clinic/settings/deliveries/").status_code == 403
    assert admin.get("/clinic/settings/deliveries/").status_code == 200


# --- the time zone -----------------------------------------------------------------------------------------
def test_the_time_zone_is_saved_audited_and_deliveries_are_shown_in_it(clinic, clinic_admin, admin):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32)
    admin.post(TEST, {"form_token": page_token(admin, TEST)})
    events_fan_out()
    assert admin.post(ZONE, {"time_zone": "Asia/Tokyo", "form_token": page_token(admin, ZONE)}).status_code == 302
    assert Clinic.objects.get(pk=clinic.pk).time_zone == "Asia/Tokyo"
    assert AuditEntry.objects.filter(actor=clinic_admin, resource=f"clinic:{clinic.pk} time_zone").exists()
    html = admin.get(PAGE).content.decode()
    # The frozen now is 12:00 UTC: 21:00 in Tokyo, and the zone is named in the column.
    assert "Time (Asia/Tokyo)" in html and "10 Mar 2026 21:00:00" in html


def test_a_zone_that_is_not_iana_is_refused_on_the_field_and_kept(clinic, admin):
    response = admin.post(ZONE, {"time_zone": "Mars/Olympus", "form_token": page_token(admin, ZONE)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="clinic-time-zone-error"' in html and "is not an IANA time zone" in html.replace("&#x27;", "'")
    assert 'value="Mars/Olympus"' in html and Clinic.objects.get(pk=clinic.pk).time_zone == "UTC"
