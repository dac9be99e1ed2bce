"""FCM through the shared pool, with Google's side of the wire played by an httpx mock transport."""

import json
import os

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from rehab.alerts.channels import PermanentError, TransientError, http, push_providers
from rehab.alerts.channels.push import PushMessage
from rehab.alerts.channels.push_providers import FcmPush

TOKEN_URI = "https://oauth2.googleapis.com/token"


class Google:
    """Answers the token exchange and FCM sends, and keeps every request it was sent."""

    def __init__(self):
        self.requests: list[httpx.Request] = []
        self.token_status = 200
        self.send_answer = httpx.Response(200, json={"name": "projects/rehab-test/messages/1"})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url == TOKEN_URI:
            return httpx.Response(self.token_status, json={"access_token": "ya29.test", "expires_in": 3600})
        return self.send_answer

    def sends(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("messages:send")]


@pytest.fixture
def service_account(settings) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.FCM_SERVICE_ACCOUNT_JSON = json.dumps(
        {
            "project_id": "rehab-test",
            "client_email": "push@rehab-test.iam.gserviceaccount.com",
            "private_key": pem,
            "token_uri": TOKEN_URI,
        }
    )
    return settings.FCM_SERVICE_ACCOUNT_JSON


@pytest.fixture
def google(monkeypatch) -> Google:
    google = Google()
    monkeypatch.setattr(http, "_client", http.http_client_new(transport=httpx.MockTransport(google)))
    monkeypatch.setattr(http, "_client_pid", os.getpid())
    monkeypatch.setattr(FcmPush, "_token", push_providers._CachedToken())  # no access token from another test
    return google


def reminder(n: int) -> PushMessage:
    return PushMessage(token=f"phone-{n}", platform="android", title="Exercises", body="Time for today's set", data={})


def test_the_service_account_is_parsed_once_across_several_sends(service_account, google, monkeypatch):
    parsed = []
    loads = json.loads

    def counting_loads(text, *args, **kwargs):
        if text == service_account:
            parsed.append(text)
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting_loads)
    push_providers._service_account.cache_clear()

    assert [FcmPush().push(reminder(n)) for n in range(3)] == [200, 200, 200]

    assert len(parsed) == 1
    sends = google.sends()
    assert [str(r.url) for r in sends] == ["https://fcm.googleapis.com/v1/projects/rehab-test/messages:send"] * 3
    assert [loads(r.content)["message"]["token"] for r in sends] == ["phone-0", "phone-1", "phone-2"]
    assert {r.headers["authorization"] for r in sends} == {"Bearer ya29.test"}
    assert [str(r.url) for r in google.requests].count(TOKEN_URI) == 1


def test_an_unregistered_token_is_permanent_with_its_status(service_account, google):
    google.send_answer = httpx.Response(404, json={"error": {"status": "NOT_FOUND", "details": ["UNREGISTERED"]}})
    with pytest.raises(PermanentError) as gone:
        FcmPush().push(reminder(1))
    assert gone.value.status_code == 404


def test_a_refused_token_exchange_is_retried_and_never_blames_the_phone(service_account, google):
    google.token_status = 404  # a wrong token_uri in the service account, say
    with pytest.raises(TransientError) as refused:
        FcmPush().push(reminder(1))
    assert not isinstance(refused.value, PermanentError) and refused.value.status_code == 404
    assert google.sends() == []
