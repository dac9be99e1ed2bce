"""Activation codes a clinician hands out: only ones that can work."""

import pytest

from patients.models import ActivationCode, Patient
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")


def url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/activation-code/"


def test_a_discharged_patient_gets_no_code_that_activation_would_refuse(physio, our_patient):
    Patient.objects.filter(pk=our_patient.pk).update(status=Patient.Status.DISCHARGED)
    before = ActivationCode.objects.filter(patient=our_patient).count()

    response = client_for(physio).post(url(our_patient))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert ActivationCode.objects.filter(patient=our_patient).count() == before


def test_an_active_patients_new_code_activates(physio, our_patient):
    code = client_for(physio).post(url(our_patient)).json()["activation_code"]
    body = {"activation_code": code, "username": "ruth-2", "password": "a-long-enough-Passphrase"}
    assert client_for(None).post("/api/v1/auth/activate/", body, format="json").status_code == 201


def test_another_clinics_patient_gets_no_code(other_physio, our_patient):
    before = ActivationCode.objects.filter(patient=our_patient).count()
    assert client_for(other_physio).post(url(our_patient)).status_code == 404
    assert ActivationCode.objects.filter(patient=our_patient).count() == before
