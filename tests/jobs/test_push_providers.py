"""FCM and APNs answers mapped to transient and permanent errors (no network: responses built here)."""

import httpx
import pytest

from rehab.alerts.channels import PermanentError, TransientError
from rehab.alerts.channels.push_providers import ApnsPush, _raise_for


def answer(status: int, text: str = "") -> httpx.Response:
    return httpx.Response(status, text=text)


def test_a_success_raises_nothing():
    _raise_for(answer(200), ("Unregistered",))


@pytest.mark.parametrize(
    ("status", "text"),
    [(410, '{"reason": "Unregistered"}'), (404, ""), (400, '{"error": {"status": "UNREGISTERED"}}')],
)
def test_a_token_the_provider_no_longer_knows_is_a_permanent_error(status, text):
    with pytest.raises(PermanentError):
        _raise_for(answer(status, text), ("UNREGISTERED", "Unregistered"))


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_transient(status):
    with pytest.raises(TransientError):
        _raise_for(answer(status), ("Unregistered",))


def test_apns_network_failure_is_transient(settings, monkeypatch):
    settings.APNS_URL = "https://apns.invalid"
    monkeypatch.setattr(ApnsPush, "_provider_token", lambda self: "token")

    def refuse(self, *args, **kwargs):
        raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx.Client, "post", refuse)
    from rehab.alerts.channels.push import PushMessage

    with pytest.raises(TransientError):
        ApnsPush().push(PushMessage(token="t", platform="ios", title="a", body="b", data={}))
