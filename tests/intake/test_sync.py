import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.intake.services import CREATED, DUPLICATE, log_record
from rehab.logs.models import ExerciseLog, PainLog, SymptomReport, VisaAResponse
from tests.support.patient_api import NOW

SYNC = "/api/v1/me/sync/"


def pain(score=4, **fields):
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-09T08:00:00Z", "score": score, **fields}


def batch():
    return {
        "pain_logs": [pain(2), pain(3, recorded_at="2026-03-05T20:00:00+01:00")],
        "exercise_logs": [
            {
                "client_id": str(uuid.uuid4()),
                "performed_at": "2026-03-08T09:00:00Z",
                "exercise": "calf-stretch",
                "sets": 3,
                "reps": 1,
                "completed": True,
            }
        ],
        "symptom_reports": [
            {"client_id": str(uuid.uuid4()), "reported_at": "2026-03-09T09:00:00Z", "symptoms": ["numbness"]}
        ],
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
class TestSync:
    def test_a_batch_stores_every_item_and_answers_per_item_in_order(self, patient, patient_client):
        sent = batch()
        response = patient_client.post(SYNC, sent, format="json")
        assert response.status_code == 200
        results = response.json()["results"]
        assert set(results) == {"pain_logs", "exercise_logs", "symptom_reports"}
        assert [r["client_id"] for r in results["pain_logs"]] == [p["client_id"] for p in sent["pain_logs"]]
        assert all(r["status"] == "created" and r["id"] for rs in results.values() for r in rs)
        assert PainLog.objects.filter(patient=patient).count() == 2
        assert ExerciseLog.objects.filter(patient=patient).count() == 1

    def test_replaying_a_batch_stores_nothing_twice(self, patient, patient_client):
        sent = batch()
        first = patient_client.post(SYNC, sent, format="json").json()["results"]
        again = patient_client.post(SYNC, sent, format="json").json()["results"]
        assert all(r["status"] == "duplicate" for rs in again.values() for r in rs)
        assert [r["id"] for r in again["pain_logs"]] == [r["id"] for r in first["pain_logs"]]
        assert PainLog.objects.filter(patient=patient).count() == 2
        assert SymptomReport.objects.filter(patient=patient).count() == 1

    def test_one_bad_item_never_loses_the_good_ones(self, patient, patient_client):
        good_before, good_after = pain(2), pain(5)
        bad = pain(score=42)
        future = pain(recorded_at="2026-03-11T08:00:00Z")
        sent = {"pain_logs": [good_before, bad, future, good_after], "visa_a": [{"client_id": "x", "q8a": 3}]}
        results = patient_client.post(SYNC, sent, format="json").json()["results"]
        statuses = [r["status"] for r in results["pain_logs"]]
        assert statuses == ["created", "invalid", "invalid", "created"]
        assert "score" in results["pain_logs"][1]["errors"]
        assert "recorded_at" in results["pain_logs"][2]["errors"]
        assert results["visa_a"][0]["status"] == "invalid"
        assert {"client_id", "q8a", "q1"} <= set(results["visa_a"][0]["errors"])
        assert set(PainLog.objects.filter(patient=patient).values_list("score", flat=True)) == {2, 5}
        assert not VisaAResponse.objects.exists()

    def test_a_reused_client_id_with_other_content_is_a_conflict_in_the_batch(self, patient, patient_client):
        entry = pain(3)
        patient_client.post("/api/v1/me/pain-logs/", entry, format="json")
        results = patient_client.post(SYNC, {"pain_logs": [{**entry, "score": 7}]}, format="json").json()
        assert results["results"]["pain_logs"][0]["status"] == "conflict"
        assert PainLog.objects.get(patient=patient).score == 3

    def test_a_week_offline_costs_the_statements_of_a_day(self, patient, patient_client, django_assert_max_num_queries):
        def days(n):
            return {
                "pain_logs": [pain(3, recorded_at=f"2026-03-0{d}T08:00:00Z") for d in range(9, 9 - n, -1)],
                "exercise_logs": [
                    {**batch()["exercise_logs"][0], "performed_at": f"2026-03-0{d}T09:00:00Z"}
                    for d in range(9, 9 - n, -1)
                ],
            }

        with CaptureQueriesContext(connection) as one_day:
            assert patient_client.post(SYNC, days(1), format="json").status_code == 200
        with django_assert_max_num_queries(len(one_day)):
            week = patient_client.post(SYNC, days(7), format="json").json()["results"]
        assert [r["status"] for rs in week.values() for r in rs] == ["created"] * 14
        assert PainLog.objects.filter(patient=patient).count() == 1 + 7

    def test_a_batch_that_is_not_lists_of_objects_is_a_400(self, patient_client):
        assert patient_client.post(SYNC, {"pain_logs": [5]}, format="json").status_code == 400
        response = patient_client.post(SYNC, {"pain": []}, format="json")
        assert response.status_code == 400
        assert "pain" in response.json()["error"]["fields"]


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_store_one_row(patient):
    """Both pass the "already stored?" read before either inserts; the unique constraint decides."""
    import time_machine

    data = {"client_id": uuid.uuid4(), "recorded_at": NOW, "score": 4, "context": "rest", "note": ""}
    barrier = threading.Barrier(2)
    outcomes = []

    def post():
        try:
            with time_machine.travel(NOW, tick=False):
                barrier.wait()
                outcomes.append(log_record(patient=patient, kind="pain_logs", data=data)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted([CREATED, DUPLICATE])
    assert PainLog.objects.filter(patient=patient).count() == 1
