"""The engagement sweep (no_recent_logs): every kind of log counts, and its read does not grow with the cohort."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import clock
from rehab.alerts.models import Alert
from rehab.rules.services.engagement import no_recent_logs_raise
from tests.factories import enrolled_patient
from tests.support import logs

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)
TZ = "Europe/London"
PROTOCOLS = ("conservative-calcific-iat", "conservative-achilles-ho", "post-surgical-calcific-iat")


def at_day(day: int, hour: int = 10) -> datetime:
    return clock.local_instant(START + timedelta(days=day), time(hour, 0), TZ)


def enrolled(protocol: str = PROTOCOLS[0]):
    with time_machine.travel(at_day(0), tick=False):
        return enrolled_patient(protocol, start=START, timezone=TZ)


LOG_WRITERS = {
    "pain": lambda p, at: logs.pain(p, 2, at, check=False),
    "exercise": lambda p, at: logs.exercise(p, at),
    "visa_a": lambda p, at: logs.visa_a(p, 60, at),
    "symptoms": lambda p, at: logs.symptoms(p, at, [], tier="none"),
    "medication": lambda p, at: logs.medication(p, at.date(), kind="other"),
}


@pytest.mark.parametrize("kind", sorted(LOG_WRITERS))
def test_a_log_of_any_kind_received_in_the_last_week_keeps_a_patient_from_being_silent(kind):
    patient = enrolled()
    with time_machine.travel(at_day(5), tick=False):
        LOG_WRITERS[kind](patient, at_day(5))
    assert no_recent_logs_raise(now=at_day(11)) == 0  # six days after the log
    assert no_recent_logs_raise(now=at_day(12, hour=11)) == 1  # seven days and an hour
    [alert] = Alert.objects.filter(patient=patient, code="no_recent_logs")
    assert alert.evidence["last_log_at"] == at_day(5).isoformat()


def test_the_evidence_names_the_newest_log_of_all_kinds():
    patient = enrolled()
    for day, kind in ((1, "pain"), (3, "exercise"), (2, "visa_a")):
        with time_machine.travel(at_day(day), tick=False):
            LOG_WRITERS[kind](patient, at_day(day))
    assert no_recent_logs_raise(now=at_day(11)) == 1
    [alert] = Alert.objects.filter(patient=patient, code="no_recent_logs")
    assert alert.evidence["last_log_at"] == at_day(3).isoformat()


def test_a_patient_silent_on_each_protocol_is_alerted_once_per_silence():
    patients = [enrolled(code) for code in PROTOCOLS]
    assert no_recent_logs_raise(now=at_day(8)) == 3
    assert no_recent_logs_raise(now=at_day(9)) == 0
    assert set(Alert.objects.filter(code="no_recent_logs").values_list("patient_id", flat=True)) == {
        p.pk for p in patients
    }


def test_the_sweep_reads_with_the_same_queries_for_twelve_patients_on_three_protocols_as_for_three():
    def queries_for(per_protocol: int) -> int:
        for code in PROTOCOLS:
            for _ in range(per_protocol):
                patient = enrolled(code)
                with time_machine.travel(at_day(6), tick=False):
                    logs.pain(patient, 2, at_day(6), check=False)  # logging: nothing to raise
        with CaptureQueriesContext(connection) as ctx:
            assert no_recent_logs_raise(now=at_day(9)) == 0
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(4) <= 3
