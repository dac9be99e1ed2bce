"""A patient a physio creates is theirs unless the physio names someone else (POST /api/v1/patients/)."""

import pytest

from patients.models import Patient
from tests.factories import PhysioFactory
from tests.support.clinician_api import TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

BODY = {
    "display_name": "Mo",
    "timezone": "Europe/Berlin",
    "side": "left",
    "condition": "calcific_insertional_tendinopathy",
    "protocol": "conservative-calcific-iat",
    "start_date": TODAY.isoformat(),
}


def created(user, **fields) -> Patient:
    response = client_for(user).post("/api/v1/patients/", {**BODY, **fields}, format="json")
    assert response.status_code == 201, response.content
    return Patient.objects.select_related("assigned_physio").get(pk=response.json()["id"])


def test_a_physio_who_names_nobody_is_the_patients_physio(physio):
    patient = created(physio)
    assert patient.assigned_physio == physio


def test_a_physio_who_names_a_colleague_makes_them_the_patients_physio(clinic, physio):
    colleague = PhysioFactory(clinic=clinic)
    assert created(physio, assigned_physio=colleague.pk).assigned_physio == colleague


def test_a_physio_who_sends_null_creates_a_patient_with_no_physio(physio):
    assert created(physio, assigned_physio=None).assigned_physio is None


def test_a_clinic_admin_who_names_nobody_assigns_nobody(clinic_admin):
    assert created(clinic_admin).assigned_physio is None
