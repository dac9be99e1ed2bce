import uuid
from datetime import timedelta

import pytest

from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse
from tests.factories import enrolled_patient
from tests.support.patient_api import NOW, START, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PAIN = "/api/v1/me/pain-logs/"


def pain(**fields):
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00Z", "score": 4, **fields}


def visa(**fields):
    answers = {f"q{i}": 5 for i in range(1, 7)}
    return {
        "client_id": str(uuid.uuid4()),
        "completed_at": "2026-03-10T08:00:00Z",
        **answers,
        "q7": 7,
        "q8_branch": "B",
        "q8": 10,
        **fields,
    }


def test_a_new_pain_log_is_stored_and_answers_201(patient, patient_client):
    response = patient_client.post(PAIN, pain(score=6, context="morning"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["score"] == 6
    assert body["context"] == "morning"
    assert body["local_date"] == "2026-03-10"
    assert body["received_at"] == "2026-03-10T12:00:00Z"
    assert PainLog.objects.filter(patient=patient).count() == 1


def test_replaying_the_same_entry_answers_200_with_the_stored_record_and_stores_nothing(patient, patient_client):
    entry = pain()
    first = patient_client.post(PAIN, entry, format="json")
    again = patient_client.post(PAIN, entry, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert PainLog.objects.filter(patient=patient).count() == 1


def test_the_same_instant_in_another_offset_and_omitted_defaults_are_the_same_content(patient_client):
    entry = pain(recorded_at="2026-03-10T08:00:00Z")
    patient_client.post(PAIN, entry, format="json")
    same = {**entry, "recorded_at": "2026-03-10T10:00:00+02:00", "context": "rest", "note": ""}
    assert patient_client.post(PAIN, same, format="json").status_code == 200


def test_the_same_client_id_with_other_content_is_a_409_conflict(patient, patient_client):
    entry = pain(score=3)
    patient_client.post(PAIN, entry, format="json")
    response = patient_client.post(PAIN, {**entry, "score": 8}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert PainLog.objects.get(patient=patient).score == 3


def test_a_client_id_is_unique_per_kind_not_across_kinds(patient_client):
    client_id = str(uuid.uuid4())
    assert patient_client.post(PAIN, pain(client_id=client_id), format="json").status_code == 201
    response = patient_client.post("/api/v1/me/visa-a/", visa(client_id=client_id), format="json")
    assert response.status_code == 201


def test_a_time_more_than_five_minutes_ahead_is_refused_naming_the_field(patient_client):
    ahead = (NOW + timedelta(minutes=6)).isoformat()
    response = patient_client.post(PAIN, pain(recorded_at=ahead), format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["recorded_at"]
    slightly = (NOW + timedelta(minutes=4)).isoformat()
    assert patient_client.post(PAIN, pain(recorded_at=slightly), format="json").status_code == 201


def test_an_entry_before_the_first_enrolment_is_refused(patient_client):
    response = patient_client.post(PAIN, pain(recorded_at="2026-02-28T12:00:00Z"), format="json")
    assert response.status_code == 400
    assert "recorded_at" in response.json()["error"]["fields"]


def test_a_late_entry_is_dated_by_its_own_time_in_the_patients_zone():
    patient = enrolled_patient(start=START, timezone="America/Los_Angeles")
    response = client_for(patient.user).post(PAIN, pain(recorded_at="2026-03-05T06:00:00Z"), format="json")
    assert response.status_code == 201
    assert response.json()["local_date"] == "2026-03-04"  # 22:00 the evening before in Los Angeles


def test_a_time_without_an_offset_is_refused(patient_client):
    response = patient_client.post(PAIN, pain(recorded_at="2026-03-10T08:00:00"), format="json")
    assert response.status_code == 400
    assert "recorded_at" in response.json()["error"]["fields"]


def test_malformed_values_are_refused_naming_each_field(patient_client):
    response = patient_client.post(
        PAIN, pain(score=11, context="sleeping", mood="sad", client_id="not-a-uuid"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"score", "context", "mood", "client_id"}


def test_a_score_sent_as_a_string_is_refused(patient_client):
    response = patient_client.post(PAIN, pain(score="4"), format="json")
    assert response.status_code == 400
    assert "score" in response.json()["error"]["fields"]


def test_exercise_logs_accept_only_exercises_of_the_patients_protocol(patient, patient_client):
    entry = {
        "client_id": str(uuid.uuid4()),
        "performed_at": "2026-03-10T09:00:00Z",
        "exercise": "calf-stretch",
        "sets": 3,
        "reps": 1,
        "completed": True,
    }
    assert patient_client.post("/api/v1/me/exercise-logs/", entry, format="json").status_code == 201
    other = {**entry, "client_id": str(uuid.uuid4()), "exercise": "swimming"}
    response = patient_client.post("/api/v1/me/exercise-logs/", other, format="json")
    assert response.status_code == 400
    assert "exercise" in response.json()["error"]["fields"]
    assert ExerciseLog.objects.get(patient=patient).pain_during is None


def test_a_visa_a_answer_carries_its_computed_score(patient_client):
    response = patient_client.post("/api/v1/me/visa-a/", visa(), format="json")
    assert response.status_code == 201
    assert response.json()["score"] == 6 * 5 + 7 + 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"q3": 11}, "q3"),
        ({"q7": 5}, "q7"),
        ({"q8_branch": "D"}, "q8_branch"),
        ({"q8_branch": ["A", "B"]}, "q8_branch"),
        ({"q8": 21}, "q8"),  # 21 is branch A's, not B's
        ({"q8a": 7}, "q8a"),
    ],
)
def test_a_malformed_visa_a_is_refused_naming_the_item(patient_client, change, field):
    response = patient_client.post("/api/v1/me/visa-a/", visa(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not VisaAResponse.objects.exists()


def symptoms(*codes):
    return {"client_id": str(uuid.uuid4()), "reported_at": "2026-03-10T09:00:00Z", "symptoms": list(codes)}


def test_a_symptom_report_answers_with_the_highest_tier_after_surgery(post_surgical_patient):
    client = client_for(post_surgical_patient.user)
    response = client.post("/api/v1/me/symptom-reports/", symptoms("numbness", "calf_pain"), format="json")
    assert response.status_code == 201
    assert response.json()["advice"] == {"tier": "same_day", "message": "Contact your surgical team today."}


def test_the_same_symptom_is_less_urgent_in_conservative_care(patient_client):
    response = patient_client.post("/api/v1/me/symptom-reports/", symptoms("calf_pain"), format="json")
    assert response.json()["advice"]["tier"] == "next_working_day"


def test_chest_pain_is_an_emergency_in_any_care(patient_client):
    response = patient_client.post("/api/v1/me/symptom-reports/", symptoms("other", "chest_pain"), format="json")
    assert response.json()["advice"]["tier"] == "emergency"
    assert SymptomReport.objects.get().symptoms == ["chest_pain", "other"]


def test_unknown_symptoms_are_refused(patient_client):
    response = patient_client.post("/api/v1/me/symptom-reports/", symptoms("headache"), format="json")
    assert response.status_code == 400
    assert "symptoms.0" in response.json()["error"]["fields"]


def medication(**fields):
    return {"client_id": str(uuid.uuid4()), "taken_on": "2026-03-09", "kind": "nsaid", "route": "oral", **fields}


def test_medication_may_go_back_twelve_months_but_no_further(patient_client):
    ok = medication(kind="corticosteroid_injection", route="injection", site="achilles", taken_on="2025-03-10")
    assert patient_client.post("/api/v1/me/medication-logs/", ok, format="json").status_code == 201
    too_old = medication(taken_on="2025-03-09")
    response = patient_client.post("/api/v1/me/medication-logs/", too_old, format="json")
    assert response.status_code == 400
    assert "taken_on" in response.json()["error"]["fields"]


def test_medication_in_the_future_is_refused(patient_client):
    response = patient_client.post("/api/v1/me/medication-logs/", medication(taken_on="2026-03-11"), format="json")
    assert response.status_code == 400


def test_an_injection_needs_its_site(patient_client):
    entry = medication(kind="corticosteroid_injection", route="injection")
    response = patient_client.post("/api/v1/me/medication-logs/", entry, format="json")
    assert response.status_code == 400
    assert "site" in response.json()["error"]["fields"]


def test_nsaids_for_ho_prophylaxis_are_recorded_with_their_indication(patient_client):
    entry = medication(name="Indometacin", indication="ho_prophylaxis")
    response = patient_client.post("/api/v1/me/medication-logs/", entry, format="json")
    assert response.status_code == 201
    assert MedicationLog.objects.get().indication == "ho_prophylaxis"


def test_logs_are_listed_newest_first_and_since_keeps_what_arrived_later(patient, patient_client):
    import time_machine

    patient_client.post(PAIN, pain(recorded_at="2026-03-08T08:00:00Z"), format="json")
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        patient_client.post(PAIN, pain(recorded_at="2026-03-09T08:00:00Z"), format="json")
        patient_client.post(PAIN, pain(recorded_at="2026-03-07T08:00:00Z"), format="json")
    body = patient_client.get(PAIN).json()
    assert body["count"] == 3
    assert [r["recorded_at"][:10] for r in body["results"]] == ["2026-03-09", "2026-03-08", "2026-03-07"]
    since = patient_client.get(PAIN, {"since": (NOW + timedelta(minutes=5)).isoformat()}).json()
    assert [r["recorded_at"][:10] for r in since["results"]] == ["2026-03-09", "2026-03-07"]


def test_a_malformed_since_is_a_400(patient_client):
    response = patient_client.get(PAIN, {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()["error"]["fields"]


def test_a_patient_never_sees_another_patients_logs(patient, patient_client):
    other = enrolled_patient(start=START, clinic=patient.clinic)
    client_for(other.user).post(PAIN, pain(), format="json")
    assert patient_client.get(PAIN).json()["count"] == 0


def test_the_same_client_id_is_free_for_another_patient(patient, patient_client):
    other = enrolled_patient(start=START)
    entry = pain()
    assert client_for(other.user).post(PAIN, entry, format="json").status_code == 201
    assert patient_client.post(PAIN, {**entry, "score": 9}, format="json").status_code == 201
