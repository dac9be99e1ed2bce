"""The phone's hottest path: what one new pain entry costs in SQL.

Pinned so a change that adds a look-up per request shows here, not first in
bench/ingest.py. A retry must still answer as the stored entry.
"""

import uuid

import pytest

pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/me/pain-logs/"


def entry(**fields):
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00+00:00", "score": 4, **fields}


def test_a_new_pain_entry_costs_a_fixed_handful_of_queries(patient_client, django_assert_max_num_queries):
    patient_client.post(URL, entry(), format="json")  # warm: the first request loads the protocol definition
    # The signed-in user, the patient, their enrolments (one read for every rule), the insert, the
    # pain-spike means, and the savepoint pair of the test's transaction.
    with django_assert_max_num_queries(7):
        answer = patient_client.post(URL, entry(context="rest"), format="json")
    assert answer.status_code == 201


def test_a_retry_costs_no_more_than_a_new_entry_and_answers_as_the_stored_one(
    patient_client, django_assert_max_num_queries
):
    first = entry()
    stored = patient_client.post(URL, first, format="json").json()
    with django_assert_max_num_queries(8):  # the insert meets the unique constraint, then the stored entry is read
        again = patient_client.post(URL, first, format="json")
    assert again.status_code == 200 and again.json()["id"] == stored["id"]
