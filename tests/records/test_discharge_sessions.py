"""Discharge ends the patient's sessions: their phone's tokens stop working, and they may sign in again."""

import pytest
from rest_framework.test import APIClient

from patients.api.serializers import tokens_for
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

GOOD_PASSWORD = "a-long-enough-Passphrase"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def discharge(physio, patient):
    response = client_for(physio).patch(f"/api/v1/patients/{patient.pk}/", {"status": "discharged"}, format="json")
    assert response.status_code == 200


def test_discharge_revokes_every_token_of_the_patient(physio, our_patient):
    phone = tokens_for(our_patient.user)
    tablet = tokens_for(our_patient.user)
    discharge(physio, our_patient)
    for tokens in (phone, tablet):
        assert bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
        refreshed = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
        assert refreshed.status_code == 401


def test_a_discharged_patient_signs_in_again_to_read_their_history(physio, our_patient):
    our_patient.user.set_password(GOOD_PASSWORD)
    our_patient.user.save()
    discharge(physio, our_patient)
    body = {"username": our_patient.user.username, "password": GOOD_PASSWORD}
    signed_in = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert signed_in.status_code == 200
    assert bearer(signed_in.json()["access"]).get("/api/v1/me/pain-logs/").status_code == 200


def test_other_changes_to_the_record_keep_the_patients_sessions(physio, our_patient):
    phone = tokens_for(our_patient.user)
    response = client_for(physio).patch(f"/api/v1/patients/{our_patient.pk}/", {"display_name": "R."}, format="json")
    assert response.status_code == 200
    assert bearer(phone["access"]).get("/api/v1/me/").status_code == 200
