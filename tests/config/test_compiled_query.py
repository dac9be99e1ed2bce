"""config.db.compiled: a queryset compiled once answers each call's values as the queryset itself would."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.functions import Length

from config.db.compiled import CompiledQuery, compiled, insert_many, insert_one
from patients.models import Patient
from rehab.logs.models import PainLog
from tests.factories import enrolled_patient
from tests.support.patient_api import START

AT = datetime(2026, 3, 10, 8, tzinfo=UTC)
MARKERS = {"patient_id": -1, "score": 999}  # values no call sends, each its own (and in the field's range)


def entries(patient: Patient, scores: list[int]) -> None:
    for i, score in enumerate(scores):
        at = AT + timedelta(hours=i)
        PainLog.objects.create(
            patient=patient, client_id=uuid.uuid4(), recorded_at=at, received_at=at, local_date=at.date(),
            score=score, context="rest",
        )  # fmt: skip


def build(*, patient_id, score):
    logs = PainLog.objects.filter(patient_id=patient_id, score__gte=score).annotate(doubled=F("score") * 2)
    return logs.order_by("-recorded_at", "-id")


@pytest.mark.django_db
def test_each_call_answers_its_own_values_as_the_queryset_does():
    one = enrolled_patient(start=START)
    other = enrolled_patient(start=START)
    entries(one, [1, 5, 7, 2])
    entries(other, [9, 3])
    query = compiled(("test", "pain"), build, MARKERS, suffix=" LIMIT %s OFFSET %s")
    for patient, score, limit, offset in [(one, 2, 10, 0), (one, 5, 1, 1), (other, 0, 10, 0), (other, 10, 5, 0)]:
        rows = query.rows({"patient_id": patient.pk, "score": score}, [limit, offset])
        expected = list(build(patient_id=patient.pk, score=score)[offset : offset + limit])
        assert [(r.pk, r.score, r.recorded_at, r.doubled) for r in rows] == [
            (r.pk, r.score, r.recorded_at, r.doubled) for r in expected
        ]
        assert all(r._state.db == "default" and not r._state.adding for r in rows)
    assert compiled(("test", "pain"), build, MARKERS) is query  # compiled once per connection


@pytest.mark.django_db
def test_another_model_and_a_marker_the_query_does_not_use():
    patient = enrolled_patient(start=START)
    query = compiled(
        ("test", "count"),
        lambda *, patient_id: Patient.objects.filter(pk=patient_id).annotate(zone=Length("timezone")),
        {"patient_id": -1},
    )
    [row] = query.rows({"patient_id": patient.pk}, [])
    assert (row.pk, row.timezone, row.zone) == (patient.pk, patient.timezone, len(patient.timezone))
    with pytest.raises(ValueError, match="markers must differ"):
        CompiledQuery(build, {"patient_id": -1, "score": -1}, suffix="", connection=query.connection)
    with pytest.raises(ValueError, match="does not use"):
        CompiledQuery(
            lambda **markers: build(patient_id=-1, score=999),
            {**MARKERS, "since": -3},
            suffix="",
            connection=query.connection,
        )


@pytest.mark.django_db
def test_the_compiled_insert_stores_what_save_would():
    patient = enrolled_patient(start=START)
    fields = {
        "patient": patient, "client_id": uuid.uuid4(), "recorded_at": AT, "received_at": AT,
        "local_date": AT.date(), "score": 6, "context": "walking", "note": "stairs",
    }  # fmt: skip
    compiled_row, saved_row = PainLog(**fields), PainLog(**{**fields, "client_id": uuid.uuid4()})
    insert_one(compiled_row)
    saved_row.save(force_insert=True)
    assert compiled_row.pk is not None and compiled_row.pk != saved_row.pk
    assert (compiled_row._state.adding, compiled_row._state.db) == (saved_row._state.adding, saved_row._state.db)
    columns = ["patient_id", "recorded_at", "received_at", "local_date", "score", "context", "note"]
    stored = PainLog.objects.values(*columns)
    assert stored.get(pk=compiled_row.pk) == stored.get(pk=saved_row.pk)
    assert PainLog.objects.get(pk=compiled_row.pk).client_id == compiled_row.client_id


@pytest.mark.django_db
def test_the_compiled_insert_of_many_stores_what_bulk_create_would_in_order():
    patient = enrolled_patient(start=START)

    def batch(note: str) -> list[PainLog]:
        return [
            PainLog(
                patient=patient, client_id=uuid.uuid4(), recorded_at=AT + timedelta(minutes=n), received_at=AT,
                local_date=AT.date(), score=n % 11, context=("rest", "morning", "night")[n % 3], note=f"{note} {n}",
            )
            for n in range(7)
        ]  # fmt: skip

    compiled_rows, bulk_rows = batch("compiled"), batch("bulk")
    insert_many(compiled_rows)
    PainLog.objects.bulk_create(bulk_rows)
    assert all(r.pk is not None and not r._state.adding and r._state.db == "default" for r in compiled_rows)
    columns = ["recorded_at", "received_at", "local_date", "score", "context", "client_id", "note"]
    for mine, theirs in zip(compiled_rows, bulk_rows, strict=True):
        stored = PainLog.objects.values(*columns).get(pk=mine.pk)
        # Each record got its own row's id: what was stored under it is that record's.
        assert stored == {c: getattr(mine, c) for c in columns}
        assert {**stored, "client_id": None, "note": None} == {
            **PainLog.objects.values(*columns).get(pk=theirs.pk),
            "client_id": None,
            "note": None,
        }


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNNEST is PostgreSQL's bulk insert")
def test_one_insert_text_serves_every_number_of_rows():
    patient = enrolled_patient(start=START)
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    def rows(count: int) -> list[PainLog]:
        return [
            PainLog(patient=patient, client_id=uuid.uuid4(), recorded_at=AT, received_at=AT, local_date=AT.date(),
                    score=3, context="rest")
            for _ in range(count)
        ]  # fmt: skip

    with connection.execute_wrapper(record):
        for count in (2, 5, 30):
            insert_many(rows(count))
    assert len(sent) == 3 and len(set(sent)) == 1 and "UNNEST(" in sent[0]
    assert PainLog.objects.filter(patient=patient).count() == 37
