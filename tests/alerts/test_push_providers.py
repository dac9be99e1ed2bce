"""FCM and APNs answers mapped to transient and permanent errors (no network: responses built here)."""

import httpx
import pytest

from rehab.alerts.channels import PermanentError, TransientError
from rehab.alerts.channels.push_providers import ApnsPush, FcmPush


def answer(status: int, text: str = "") -> httpx.Response:
    return httpx.Response(status, text=text)


@pytest.mark.parametrize("provider", [FcmPush(), ApnsPush()])
def test_a_success_raises_nothing(provider):
    assert provider.raise_for_response(answer(200)) == 200


@pytest.mark.parametrize(
    ("provider", "status", "text"),
    [
        (ApnsPush(), 410, '{"reason": "Unregistered"}'),
        (ApnsPush(), 400, '{"reason": "BadDeviceToken"}'),
        (FcmPush(), 404, ""),
        (FcmPush(), 400, '{"error": {"status": "UNREGISTERED"}}'),
    ],
)
def test_a_token_the_provider_no_longer_knows_is_a_permanent_error(provider, status, text):
    with pytest.raises(PermanentError) as refused:
        provider.raise_for_response(answer(status, text))
    assert refused.value.status_code == status


@pytest.mark.parametrize("provider", [FcmPush(), ApnsPush()])
@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_transient(provider, status):
    with pytest.raises(TransientError):
        provider.raise_for_response(answer(status))


@pytest.mark.parametrize("provider", [FcmPush(), ApnsPush()])
def test_a_refused_server_credential_is_transient_so_no_phone_is_disabled_for_it(provider):
    with pytest.raises(TransientError) as refused:
        provider.raise_for_response(answer(403, '{"reason": "InvalidProviderToken"}'))
    assert not isinstance(refused.value, PermanentError) and refused.value.status_code == 403


def test_apns_network_failure_is_transient(settings, monkeypatch):
    settings.APNS_URL = "https://apns.invalid"
    monkeypatch.setattr(ApnsPush, "_provider_token", lambda self: "token")

    def refuse(self, *args, **kwargs):
        raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx.Client, "post", refuse)
    from rehab.alerts.channels.push import PushMessage

    with pytest.raises(TransientError):
        ApnsPush().push(PushMessage(token="t", platform="ios", title="a", body="b", data={}))
