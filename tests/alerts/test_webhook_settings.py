"""The clinic webhook as a resource an integrator reads, changes and puts back."""

import pytest

from rehab.alerts.models import WebhookEndpoint
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/clinic/webhook/"


def test_what_a_get_answers_can_be_put_back_with_one_change(clinic, clinic_admin):
    WebhookEndpoint.objects.create(
        clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32, active=False, disabled_reason="410 Gone"
    )
    client = client_for(clinic_admin)
    shown = client.get(URL).json()

    saved = client.put(URL, {**shown, "active": True}, format="json")

    assert saved.status_code == 200, saved.content
    assert saved.json() == {"url": "https://hooks.example.com/x", "active": True, "disabled_reason": ""}
    assert WebhookEndpoint.objects.get(clinic=clinic).secret == "s" * 32


def test_the_disabled_reason_cannot_be_written(clinic, clinic_admin):
    WebhookEndpoint.objects.create(clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32)
    body = {"url": "https://hooks.example.com/x", "active": False, "disabled_reason": "we say so"}
    saved = client_for(clinic_admin).put(URL, body, format="json")
    assert saved.status_code == 200
    assert saved.json()["disabled_reason"] == ""
    assert WebhookEndpoint.objects.get(clinic=clinic).disabled_reason == ""


def test_a_physio_can_neither_read_nor_write_the_webhook(clinic, physio):
    client = client_for(physio)
    assert client.get(URL).status_code == 403
    assert client.put(URL, {"url": "https://hooks.example.com/x", "secret": "s" * 32}, format="json").status_code == 403
    assert not WebhookEndpoint.objects.exists()
