import pytest

from patients.models import Device
from tests.factories import enrolled_patient
from tests.support.patient_api import START, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

DEVICES = "/api/v1/me/devices/"


def test_registering_a_new_token_answers_201(patient, patient_client):
    response = patient_client.post(DEVICES, {"platform": "ios", "token": "tok:abc-1"}, format="json")
    assert response.status_code == 201
    assert Device.objects.get(token="tok:abc-1").patient == patient


def test_the_same_token_again_answers_200_and_is_attached_to_the_caller_and_enabled(patient, patient_client):
    other = enrolled_patient(start=START)
    client_for(other.user).post(DEVICES, {"platform": "android", "token": "shared"}, format="json")
    Device.objects.filter(token="shared").update(disabled_reason="unregistered", disabled_at="2026-03-01T00:00Z")
    response = patient_client.post(DEVICES, {"platform": "ios", "token": "shared"}, format="json")
    assert response.status_code == 200
    device = Device.objects.get(token="shared")
    assert (device.patient, device.platform, device.disabled_at) == (patient, "ios", None)
    assert Device.objects.count() == 1


def test_removing_a_token_answers_204(patient_client):
    patient_client.post(DEVICES, {"platform": "web", "token": "mine"}, format="json")
    assert patient_client.delete(DEVICES + "mine/").status_code == 204
    assert not Device.objects.exists()


def test_a_patient_cannot_remove_another_patients_token(patient_client):
    other = enrolled_patient(start=START)
    client_for(other.user).post(DEVICES, {"platform": "web", "token": "theirs"}, format="json")
    response = patient_client.delete(DEVICES + "theirs/")
    assert response.status_code == 404
    assert Device.objects.filter(token="theirs").exists()


def test_an_unknown_platform_is_refused(patient_client):
    response = patient_client.post(DEVICES, {"platform": "symbian", "token": "x"}, format="json")
    assert response.status_code == 400
    assert "platform" in response.json()["error"]["fields"]
