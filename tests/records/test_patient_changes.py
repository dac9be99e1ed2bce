"""PATCH /patients/{id}/ changes only what is sent, but an object it sends is validated whole."""

import pytest

from patients.models import Patient
from tests.config.test_error_shape import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

OVERRIDE = {"exercise": "calf-stretch", "sets": 2, "reps": 10, "times_per_day": 1}


def patch(client, patient, body):
    return client.patch(f"/api/v1/patients/{patient.pk}/", body, format="json")


@pytest.mark.parametrize("missing", ["exercise", "sets", "reps", "times_per_day"])
def test_an_exercise_override_missing_a_field_is_a_400_on_that_field(physio_client, our_patient, missing):
    override = {key: value for key, value in OVERRIDE.items() if key != missing}
    response = patch(physio_client, our_patient, {"exercise_overrides": [OVERRIDE, override]})
    assert assert_error(response, 400, "validation_error")["fields"] == {
        f"exercise_overrides.1.{missing}": ["This field is required."]
    }
    assert Patient.objects.get(pk=our_patient.pk).exercise_overrides == []


def test_an_empty_override_names_every_field_it_lacks(physio_client, our_patient):
    response = patch(physio_client, our_patient, {"exercise_overrides": [{}]})
    fields = assert_error(response, 400, "validation_error")["fields"]
    assert set(fields) == {f"exercise_overrides.0.{key}" for key in OVERRIDE}


def test_a_whole_override_is_stored_and_other_fields_stay_as_they_were(physio_client, our_patient):
    response = patch(physio_client, our_patient, {"exercise_overrides": [OVERRIDE]})
    assert response.status_code == 200, response.content
    assert response.json()["exercise_overrides"] == [OVERRIDE]
    assert response.json()["display_name"] == "Ruth"


def test_biomechanics_may_still_name_only_some_of_its_findings(physio_client, our_patient):
    response = patch(physio_client, our_patient, {"biomechanics": {"heel_varus": True}})
    assert response.status_code == 200, response.content
    assert response.json()["biomechanics"] == {"heel_varus": True}
