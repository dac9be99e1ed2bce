"""A phone that was offline hears in the sync answer what the single endpoint would have told it at once."""

import uuid

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SYNC = "/api/v1/me/sync/"


def symptom_report(**fields):
    return {
        "client_id": str(uuid.uuid4()),
        "reported_at": "2026-03-09T09:00:00Z",
        "symptoms": ["calf_swelling"],
        **fields,
    }


def exercise_log(pain_during):
    return {
        "client_id": str(uuid.uuid4()),
        "performed_at": "2026-03-09T09:00:00Z",
        "exercise": "calf-stretch",
        "sets": 3,
        "reps": 10,
        "completed": True,
        "pain_during": pain_during,
    }


def test_a_symptom_report_in_a_batch_answers_with_the_advice_its_single_post_gives(patient_client):
    alone = patient_client.post("/api/v1/me/symptom-reports/", symptom_report(), format="json").json()["advice"]
    batch = {"symptom_reports": [symptom_report(), symptom_report(reported_at="2999-01-01T00:00:00Z")]}
    stored, refused = patient_client.post(SYNC, batch, format="json").json()["results"]["symptom_reports"]
    assert stored["status"] == "created"
    assert stored["advice"] == alone
    assert alone["tier"] != "none" and alone["message"]
    assert refused["status"] == "invalid"
    assert refused["advice"] is None


def test_a_replayed_symptom_report_answers_with_its_advice_again(patient_client):
    batch = {"symptom_reports": [symptom_report()]}
    first = patient_client.post(SYNC, batch, format="json").json()["results"]["symptom_reports"][0]
    again = patient_client.post(SYNC, batch, format="json").json()["results"]["symptom_reports"][0]
    assert again["status"] == "duplicate"
    assert again["advice"] == first["advice"]


def test_an_exercise_log_in_a_batch_answers_with_its_load_advice(patient_client):
    batch = {"exercise_logs": [exercise_log(pain_during=9), exercise_log(pain_during=1)]}
    too_much, fine = patient_client.post(SYNC, batch, format="json").json()["results"]["exercise_logs"]
    alone = patient_client.post("/api/v1/me/exercise-logs/", exercise_log(pain_during=9), format="json").json()
    assert too_much["load_advice"] == alone["load_advice"]
    assert too_much["load_advice"]
    assert fine["load_advice"] is None


def test_other_kinds_answer_without_advice(patient_client):
    batch = {"pain_logs": [{"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-09T08:00:00Z", "score": 2}]}
    [result] = patient_client.post(SYNC, batch, format="json").json()["results"]["pain_logs"]
    assert set(result) == {"client_id", "status", "id", "errors"}


def test_the_sync_results_schema_documents_the_advice_as_a_sync_result_and_its_answer(django_db_blocker):
    with django_db_blocker.unblock():
        schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    results = schemas["SyncResults"]["properties"]

    def answer_of(kind: str) -> dict:
        base, answer = schemas[results[kind]["items"]["$ref"].rsplit("/", 1)[1]]["allOf"]
        assert base == {"$ref": "#/components/schemas/SyncItemResult"}
        return answer["properties"]

    assert answer_of("symptom_reports")["advice"]["allOf"] == [{"$ref": "#/components/schemas/Advice"}]
    assert answer_of("symptom_reports")["advice"]["nullable"] is True
    assert answer_of("exercise_logs")["load_advice"]["nullable"] is True
    assert results["pain_logs"]["items"] == {"$ref": "#/components/schemas/SyncItemResult"}
