"""The webhook URL check reads a URL the way the sender (httpx) connects to it, under production settings."""

import socket

import httpx
import pytest
from django.core.exceptions import ValidationError

from rehab.alerts.models import WebhookEndpoint
from rehab.alerts.webhook_urls import webhook_url_validate
from tests.factories import ClinicAdminFactory
from tests.support.patient_api import client_for

PUBLIC_ADDRESS = "93.184.215.14"
# The names the fake DNS knows; IP literals resolve as the system resolves them (no DNS needed).
NAMES = {"hooks.clinic.example": PUBLIC_ADDRESS, "hooks.xn--bcher-kva.example": PUBLIC_ADDRESS}


@pytest.fixture(autouse=True)
def production(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    resolve = socket.getaddrinfo

    def dns(host, port, *args, **kwargs):
        if host in NAMES:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (NAMES[host], port))]
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)


def refusal_code(url: str) -> str:
    with pytest.raises(ValidationError) as refused:
        webhook_url_validate(url)
    return refused.value.code


@pytest.mark.parametrize(
    "url",
    [
        # urllib.parse reads the host after the '@', urllib3 (requests) before the backslash.
        "https://127.0.0.1\\@hooks.clinic.example/",
        "https://hooks.clinic.example\\@127.0.0.1/",
        "https://hooks.clinic.example\\rehab",
    ],
)
def test_a_url_with_a_backslash_is_refused(url):
    assert refusal_code(url) == "invalid_url"


@pytest.mark.parametrize(
    "url",
    [
        "https://user@hooks.clinic.example/",
        "https://user:secret@hooks.clinic.example/",
        "https://hooks.clinic.example%2F@127.0.0.1/",
    ],
)
def test_a_url_with_a_user_name_or_password_is_refused(url):
    assert refusal_code(url) == "userinfo_not_allowed"


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_a_port_out_of_range_is_refused(port):
    assert refusal_code(f"https://hooks.clinic.example:{port}/rehab") == "invalid_port"


def test_a_port_that_is_not_a_number_is_refused():
    with pytest.raises(ValidationError, match="port"):
        webhook_url_validate("https://hooks.clinic.example:https/rehab")


@pytest.mark.parametrize("url", ["https://2130706433/", "https://127.1/", "https://[::ffff:127.0.0.1]/"])
def test_loopback_spelled_oddly_is_refused_because_the_host_is_resolved_as_the_sender_resolves_it(url):
    assert refusal_code(url) == "private_address"


def test_a_normal_public_https_url_passes_as_the_url_the_sender_posts_to():
    target = webhook_url_validate("https://hooks.clinic.example/rehab?clinic=7")
    assert target.url == httpx.URL("https://hooks.clinic.example/rehab?clinic=7")
    assert target.addresses == (PUBLIC_ADDRESS,)


def test_an_international_host_is_resolved_by_the_name_the_sender_connects_to():
    target = webhook_url_validate("https://hooks.bücher.example:8443/rehab")
    assert target.url.raw_host == b"hooks.xn--bcher-kva.example" and target.url.port == 8443
    assert target.addresses == (PUBLIC_ADDRESS,)


def test_local_settings_still_refuse_what_the_sender_could_read_two_ways(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    webhook_url_validate("http://127.0.0.1:8140/hooks")
    assert refusal_code("http://127.0.0.1:8140\\@hooks.clinic.example/") == "invalid_url"
    assert refusal_code("http://user@127.0.0.1:8140/hooks") == "userinfo_not_allowed"
    assert refusal_code("http://127.0.0.1:81400/hooks") == "invalid_port"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.clinic.example:99999/rehab",
        "https://hooks.clinic.example:abc/",
        "https://u@hooks.clinic.example/",
    ],
)
def test_a_clinic_admin_saving_a_bad_url_gets_a_field_error_not_a_server_error(clinic, url):
    admin = ClinicAdminFactory(clinic=clinic)
    answer = client_for(admin).put("/api/v1/clinic/webhook/", {"url": url, "secret": "s" * 32}, format="json")
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "validation_error" and list(error["fields"]) == ["url"]
    assert not WebhookEndpoint.objects.exists()
