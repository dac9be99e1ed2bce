"""Section 4: an exercise with pain above 5/10 tells the patient, at once, to reduce the load."""

import uuid

import pytest

from rehab.alerts.models import Alert

pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/me/exercise-logs/"


def exercise(pain_during):
    return {
        "client_id": str(uuid.uuid4()),
        "performed_at": "2026-03-10T09:00:00+00:00",
        "exercise": "eccentric-heel-drop-straight-knee",
        "sets": 3,
        "reps": 15,
        "completed": True,
        "pain_during": pain_during,
    }


def test_pain_above_five_during_exercise_answers_with_advice_to_reduce_the_load(patient_client, patient):
    answer = patient_client.post(URL, exercise(6), format="json")
    assert answer.status_code == 201
    assert "reduce the load" in answer.json()["load_advice"]
    assert Alert.objects.filter(patient=patient, code="exercise_pain_high").count() == 1
    listed = patient_client.get(URL).json()["results"][0]
    assert "reduce the load" in listed["load_advice"]


@pytest.mark.parametrize("pain_during", [0, 5, None])
def test_acceptable_exercise_pain_gets_no_load_advice(patient_client, pain_during):
    answer = patient_client.post(URL, exercise(pain_during), format="json")
    assert answer.status_code == 201
    assert answer.json()["load_advice"] is None
