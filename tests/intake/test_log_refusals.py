"""The log service's refusals are domain errors, and the API answers them as it always has."""

import uuid

import pytest

from config import errors
from rehab.intake.registry import KINDS
from rehab.intake.services import LogConflict, LogInvalid, log_record
from tests.factories import enrolled_patient
from tests.support.patient_api import START, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PAIN = "/api/v1/me/pain-logs/"


@pytest.fixture
def patient():
    return enrolled_patient(start=START)


def pain(**fields) -> dict:
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00Z", "score": 4, **fields}


def validated(body: dict) -> dict:
    return KINDS["pain_logs"].in_serializer().run_validation(body)


def test_a_refused_entry_and_a_conflicting_replay_are_the_foundations_domain_errors(patient):
    with pytest.raises(errors.FieldErrors) as refused:
        log_record(patient=patient, kind="pain_logs", data=validated(pain(recorded_at="2026-03-10T13:00:00Z")))
    assert isinstance(refused.value, LogInvalid)
    assert refused.value.errors == {"recorded_at": ["Must not be in the future."]}

    entry = validated(pain())
    stored, _ = log_record(patient=patient, kind="pain_logs", data=entry)
    with pytest.raises(errors.Conflict) as conflict:
        log_record(patient=patient, kind="pain_logs", data={**entry, "score": 9})
    assert isinstance(conflict.value, LogConflict)
    assert conflict.value.stored == stored
    assert str(conflict.value) == f"client_id {entry['client_id']} was already used with other content."


def test_a_conflicting_replay_answers_409_with_the_client_id_in_the_message(patient):
    client = client_for(patient.user)
    entry = pain(score=3)
    client.post(PAIN, entry, format="json")
    response = client.post(PAIN, {**entry, "score": 8}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": f"client_id {entry['client_id']} was already used with other content.",
            "fields": {},
        }
    }


def test_an_entry_a_rule_refuses_answers_400_naming_the_field(patient):
    response = client_for(patient.user).post(PAIN, pain(recorded_at="2026-03-10T12:06:00Z"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "validation_error",
            "message": "The request is not valid: recorded_at.",
            "fields": {"recorded_at": ["Must not be in the future."]},
        }
    }


def test_an_instant_whose_local_date_is_before_the_calendar_is_refused_not_a_server_error(patient):
    # London kept its local mean time (UTC-0:01:15) back then: this instant falls on 31 December of year 0.
    body = pain(recorded_at="0001-01-01T00:00:01Z")
    response = client_for(patient.user).post(PAIN, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"recorded_at": ["Must be on or after your start date, 2026-03-01."]}
    synced = client_for(patient.user).post("/api/v1/me/sync/", {"pain_logs": [body]}, format="json")
    assert synced.json()["results"]["pain_logs"][0]["status"] == "invalid"
