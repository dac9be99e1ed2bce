"""Patients: the facts the safety rules and the dates depend on."""

import pytest
from django.core.exceptions import ValidationError

from patients.models import Patient, validate_timezone
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["Australia/Sydney", "America/Los_Angeles", "Europe/London", "UTC"])
def test_an_iana_time_zone_is_accepted(zone):
    validate_timezone(zone)


@pytest.mark.parametrize("zone", ["AEST", "GMT+10", "Mars/Olympus_Mons", "", "australia/sydney"])
def test_anything_but_an_iana_time_zone_is_refused(zone):
    with pytest.raises(ValidationError):
        validate_timezone(zone)


def test_a_patient_with_a_bad_time_zone_does_not_validate():
    patient = PatientFactory()
    patient.full_clean()
    patient.timezone = "Somewhere/Else"
    with pytest.raises(ValidationError) as excinfo:
        patient.full_clean()
    assert "timezone" in excinfo.value.message_dict


def test_kidney_disease_is_read_from_the_comorbidities():
    assert PatientFactory(comorbidities=["kidney_disease", "diabetes"]).has_kidney_disease
    assert not PatientFactory(comorbidities=["diabetes"]).has_kidney_disease


def test_a_new_patient_is_active_with_quiet_hours_from_21_to_8():
    patient = PatientFactory()
    assert patient.status == Patient.Status.ACTIVE
    assert (patient.quiet_hours_start.hour, patient.quiet_hours_end.hour) == (21, 8)
