"""The log service's batch path: what a synced week or the simulator's hour of entries does, and costs."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rehab.alerts.models import Alert
from rehab.intake.serializers import ExerciseLogInSerializer, PainLogInSerializer
from rehab.intake.services import CONFLICT, CREATED, DUPLICATE, INVALID, LogItem, log_record, logs_record
from rehab.logs.models import ExerciseLog, PainLog
from tests.factories import enrolled_patient
from tests.support.clock import NOW

START = date(2026, 3, 1)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def pain(patient, score: int, at: datetime, context: str = "rest", client_id=None) -> LogItem:
    body = {"client_id": str(client_id or uuid.uuid4()), "recorded_at": at.isoformat(), "score": score}
    serializer = PainLogInSerializer(data={**body, "context": context})
    serializer.is_valid(raise_exception=True)
    return LogItem(patient, "pain_logs", serializer.validated_data)


def exercise(patient, at: datetime, pain_during: int) -> LogItem:
    body = {
        "client_id": str(uuid.uuid4()),
        "performed_at": at.isoformat(),
        "exercise": "eccentric-heel-drop-straight-knee",
        "sets": 3,
        "reps": 15,
        "completed": True,
        "pain_during": pain_during,
    }
    serializer = ExerciseLogInSerializer(data=body)
    serializer.is_valid(raise_exception=True)
    return LogItem(patient, "exercise_logs", serializer.validated_data)


def statements_for(items) -> int:
    with CaptureQueriesContext(connection) as queries:
        outcomes = logs_record(items)
    assert {o.status for o in outcomes} == {CREATED}
    return len(queries)


def an_hour_of_entries(patients, day: int):
    at = NOW - timedelta(days=day)
    items = []
    for patient in patients:
        items += [pain(patient, 3, at), pain(patient, 2, at, "morning"), exercise(patient, at, pain_during=2)]
    return items


def test_a_batch_costs_the_same_statements_for_thirty_patients_as_for_three():
    few = [enrolled_patient(start=START) for _ in range(3)]
    many = [enrolled_patient(start=START) for _ in range(30)]
    for day in (3, 2):  # earlier entries, so the pain rules have something to read
        logs_record(an_hour_of_entries(few + many, day))
    assert statements_for(an_hour_of_entries(many, 1)) == statements_for(an_hour_of_entries(few, 1))
    assert PainLog.objects.filter(patient__in=many).count() == 30 * 3 * 2


def test_a_spike_in_an_offline_batch_is_judged_against_the_entries_before_it_in_the_batch():
    patient = enrolled_patient(start=START)
    week = [pain(patient, 3, NOW - timedelta(days=d)) for d in (4, 3, 2, 1)]
    outcomes = logs_record([*week, pain(patient, 7, NOW)])
    assert [o.status for o in outcomes] == [CREATED] * 5
    [alert] = Alert.objects.filter(patient=patient, code="pain_spike")
    assert alert.evidence["mean_7d"] == 3.0 and alert.evidence["entries_7d"] == 4
    assert alert.evidence["pain_log"] == outcomes[-1].record.pk


def test_the_pain_window_is_exact_for_a_patient_fourteen_hours_ahead_of_utc():
    patient = enrolled_patient(start=date(2026, 2, 1), timezone="Pacific/Kiritimati")
    inside = pain(patient, 1, NOW - timedelta(days=7) + timedelta(minutes=1))
    outside = pain(patient, 9, NOW - timedelta(days=7) - timedelta(minutes=1))
    logs_record([inside, outside, pain(patient, 1, NOW - timedelta(days=2))])
    logs_record([pain(patient, 4, NOW)])
    [alert] = Alert.objects.filter(patient=patient, code="pain_spike")
    assert alert.evidence["mean_7d"] == 1.0 and alert.evidence["entries_7d"] == 2  # the 9 fell out of the week


def test_an_item_repeated_in_a_batch_is_a_replay_and_other_content_under_its_id_a_conflict():
    patient = enrolled_patient(start=START)
    client_id = uuid.uuid4()
    first, same, other = (
        pain(patient, 3, NOW, client_id=client_id),
        pain(patient, 3, NOW, client_id=client_id),
        pain(patient, 8, NOW, client_id=client_id),
    )
    outcomes = logs_record([first, same, other])
    assert [o.status for o in outcomes] == [CREATED, DUPLICATE, CONFLICT]
    assert outcomes[0].record.pk == outcomes[1].record.pk == outcomes[2].record.pk
    assert PainLog.objects.filter(patient=patient).count() == 1


def test_entries_stored_meanwhile_become_replays_and_the_rest_of_the_batch_is_stored_once():
    """What a phone's retry meets when its first attempt landed: the insert hits the unique constraint."""
    patient = enrolled_patient(start=START)
    landed = pain(patient, 9, NOW - timedelta(hours=1))
    stored, _ = log_record(patient=patient, kind=landed.kind, data=landed.data)
    fresh = exercise(patient, NOW, pain_during=7)
    outcomes = logs_record([landed, fresh])
    assert [o.status for o in outcomes] == [DUPLICATE, CREATED]
    assert outcomes[0].record.pk == stored.pk
    assert PainLog.objects.filter(patient=patient).count() == 1
    assert ExerciseLog.objects.filter(patient=patient).count() == 1
    assert Alert.objects.filter(patient=patient, code="exercise_pain_high").count() == 1


def test_a_refused_item_never_keeps_its_siblings_from_being_stored():
    patient = enrolled_patient(start=START)
    before_start = pain(patient, 3, datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
    outcomes = logs_record([before_start, pain(patient, 3, NOW)])
    assert [o.status for o in outcomes] == [INVALID, CREATED]
    assert "recorded_at" in outcomes[0].errors
    assert PainLog.objects.filter(patient=patient).count() == 1


def test_each_patient_is_judged_by_their_own_protocol_and_history():
    calm = enrolled_patient(start=START)
    spiking = enrolled_patient("post-surgical-calcific-iat", start=START)
    history = [pain(p, 2, NOW - timedelta(days=d)) for p in (calm, spiking) for d in (3, 2, 1)]
    logs_record(history)
    logs_record([pain(calm, 4, NOW), pain(spiking, 6, NOW)])
    assert not Alert.objects.filter(patient=calm).exists()
    [alert] = Alert.objects.filter(patient=spiking, code="pain_spike")
    assert alert.severity == "urgent"  # post-surgical
