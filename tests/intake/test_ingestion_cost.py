"""The phone's hottest path: what one new pain entry costs in SQL.

Pinned so a change that adds a look-up per request shows here, not first in
bench/ingest.py. A retry must still answer as the stored entry.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.care.services.enrollment import enrollment_start
from tests.factories import protocol_version
from tests.support.patient_api import START

pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/me/pain-logs/"


def entry(**fields):
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00+00:00", "score": 4, **fields}


def statements_of_a_new_entry(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(URL, entry(context="rest"), format="json")
    assert answer.status_code == 201
    return len(queries)


def test_a_new_pain_entry_costs_a_fixed_handful_of_queries(patient_client, django_assert_max_num_queries):
    patient_client.post(URL, entry(), format="json")  # warm: the protocol definition and the enrolment cache
    # The signed-in user with their patient (the enrolments come from the cache the patient's stamp keys),
    # the insert, the pain rules' window read, and the savepoint pair of the log's transaction.
    with django_assert_max_num_queries(5):
        answer = patient_client.post(URL, entry(context="rest"), format="json")
    assert answer.status_code == 201


def test_after_an_enrolment_change_one_entry_reads_the_enrolments_again_then_the_cache_serves(patient, patient_client):
    statements_of_a_new_entry(patient_client)
    warm = statements_of_a_new_entry(patient_client)
    enrollment_start(
        patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=START + timedelta(5)
    )
    assert statements_of_a_new_entry(patient_client) == warm + 1
    assert statements_of_a_new_entry(patient_client) == warm


def test_a_retry_costs_no_more_than_a_new_entry_and_answers_as_the_stored_one(
    patient_client, django_assert_max_num_queries
):
    first = entry()
    stored = patient_client.post(URL, first, format="json").json()
    # The insert meets the unique constraint (savepoint, insert, rollback, release), then the stored entry is read.
    with django_assert_max_num_queries(6):
        again = patient_client.post(URL, first, format="json")
    assert again.status_code == 200 and again.json()["id"] == stored["id"]
