"""Any token the app may register it may also remove, whatever characters the push service put in it."""

from urllib.parse import quote

import pytest

from patients.models import Device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

DEVICES = "/api/v1/me/devices/"


@pytest.mark.parametrize(
    "token",
    [
        "fcm:APA91bH-xyz_123",
        "https://updates.push.services.example/wpush/v2/gAAAAABk",
        "a token with spaces+plus",
    ],
)
def test_a_registered_token_can_be_removed_by_its_url_encoded_path(patient_client, token):
    assert patient_client.post(DEVICES, {"platform": "web", "token": token}, format="json").status_code == 201
    response = patient_client.delete(DEVICES + quote(token, safe="") + "/")
    assert response.status_code == 204, response.content
    assert not Device.objects.exists()
