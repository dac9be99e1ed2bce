"""The phone's hottest paths: the SQL statements of a new pain entry, a replay and a list page, pinned exactly.

Pinned so a change that adds a look-up per request shows here, not first in
bench/ingest.py. Tests run inside a transaction, so the log service's own
atomic blocks are savepoints here; in production (autocommit) a new entry
that raises nothing has no transaction at all, and the pairs below are absent.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.alerts.models import Alert
from rehab.care.services.enrollment import enrollment_start
from tests.factories import protocol_version
from tests.support.patient_api import START

pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/me/pain-logs/"


def entry(**fields):
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00+00:00", "score": 4, **fields}


def statements(client, method: str, *args) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        answer = getattr(client, method)(*args, format="json") if method == "post" else client.get(*args)
    assert answer.status_code in (200, 201), answer.content
    return [q["sql"].split()[0].upper() for q in queries.captured_queries]


def kinds(sqls: list[str]) -> list[str]:
    return ["SAVEPOINT" if s in ("SAVEPOINT", "RELEASE", "ROLLBACK") else s for s in sqls]


def test_a_new_entry_that_raises_nothing_is_the_user_the_rules_answer_and_one_insert(patient_client):
    patient_client.post(URL, entry(), format="json")  # warm: the protocol definition and the enrolment cache
    sqls = statements(patient_client, "post", URL, entry(context="rest"))
    # The sign-in's stamps (the user, their patient and enrolments come from the caches the stamps key),
    # the pain rules' counts and sums, and the insert; the savepoint pair only because tests run in a transaction.
    assert sqls == ["SELECT", "WITH", "SAVEPOINT", "INSERT", "RELEASE"]


def test_a_new_entry_that_raises_an_alert_is_stored_with_it_in_one_transaction(patient, patient_client):
    for hour in range(3):
        at = f"2026-03-10T0{hour}:00:00+00:00"
        patient_client.post(URL, entry(recorded_at=at, score=1), format="json")
    with CaptureQueriesContext(connection) as queries:
        answer = patient_client.post(URL, entry(score=9), format="json")
    assert answer.status_code == 201
    sqls = [q["sql"].lstrip() for q in queries.captured_queries]
    alert = Alert.objects.get(patient=patient, code="pain_spike")
    assert alert.evidence["pain_log"] == answer.json()["id"]
    # Judged before storing (raises), then stored and judged again inside one atomic block with the alert.
    begin = next(i for i, s in enumerate(sqls) if s.startswith("SAVEPOINT"))
    insert = next(i for i, s in enumerate(sqls) if s.startswith("INSERT") and "rehab_painlog" in s)
    last = max(i for i, s in enumerate(sqls) if s.startswith("RELEASE"))
    assert sqls[0].startswith("SELECT") and sqls[1].startswith("WITH") and begin == 2
    assert begin < insert < last == len(sqls) - 1


def test_a_replay_is_the_new_entry_s_statements_and_the_read_of_the_stored_one(patient_client):
    first = entry()
    stored = patient_client.post(URL, first, format="json").json()
    with CaptureQueriesContext(connection) as queries:
        again = patient_client.post(URL, first, format="json")
    assert again.status_code == 200 and again.json()["id"] == stored["id"]
    sqls = kinds([q["sql"].split()[0].upper() for q in queries.captured_queries])
    # The insert meets the unique constraint (its savepoint rolled back), then the stored entry is read.
    assert sqls == ["SELECT", "WITH", "SAVEPOINT", "INSERT", "SAVEPOINT", "SAVEPOINT", "SELECT"]


def test_a_list_page_is_the_user_and_the_page_with_its_count_in_the_same_statement(patient_client):
    for _ in range(3):
        patient_client.post(URL, entry(), format="json")
    with CaptureQueriesContext(connection) as queries:
        answer = patient_client.get(URL + "?limit=2")
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len(sqls) == 2 and "COUNT(*)" in sqls[1]
    assert answer.json()["count"] == 3 and len(answer.json()["results"]) == 2


@pytest.mark.parametrize(
    ("query", "count", "shown", "statements"),
    [
        ("?limit=2", 5, 2, 2),
        ("?limit=2&since=2026-03-10T11:59:00Z", 5, 2, 2),
        ("?limit=2&offset=4", 5, 1, 2),
        ("?limit=2&offset=5", 5, 0, 3),  # an empty page past the first counts on its own
        ("?limit=2&offset=9", 5, 0, 3),
        ("?since=2026-03-10T11:59:00Z", 5, 5, 2),  # received after it: all, counted with the filter
        ("?since=2026-03-10T12:00:00Z", 0, 0, 2),  # received at it, not after: none
    ],
)
def test_the_count_is_every_entry_the_filter_keeps_on_any_page(patient_client, query, count, shown, statements):
    for _ in range(5):
        patient_client.post(URL, entry(), format="json")
    with CaptureQueriesContext(connection) as queries:
        answer = patient_client.get(URL + query).json()
    assert (answer["count"], len(answer["results"]), len(queries)) == (count, shown, statements)


def test_after_an_enrolment_change_one_entry_reads_the_enrolments_again_then_the_cache_serves(patient, patient_client):
    statements(patient_client, "post", URL, entry())
    warm = len(statements(patient_client, "post", URL, entry()))
    enrollment_start(
        patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=START + timedelta(5)
    )
    # The patient's stamp changed: the sign-in reads the user and patient again, and then their enrolments.
    assert len(statements(patient_client, "post", URL, entry())) == warm + 2
    assert len(statements(patient_client, "post", URL, entry())) == warm
