"""The pain rules' read returns an answer, not rows: at most two rows per entry judged, whatever the history."""

from datetime import timedelta

import pytest
from django.db import connection

from rehab.logs.models import PainLog
from rehab.logs.selectors import PainWindow
from rehab.rules.services.safety.context import SafetyContext
from rehab.rules.services.safety.pain import pain_windows_of
from tests.support.clock import NOW
from tests.support.logs import pain

pytestmark = pytest.mark.usefixtures("frozen_now")


class RowsFetched:
    """The rows each statement answered with (psycopg's rowcount of a SELECT)."""

    def __init__(self):
        self.rows: list[int] = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.rows.append(context["cursor"].rowcount)
        return result


def history_store(patient, entries: int) -> None:
    contexts = [c.value for c in PainLog.Context]
    for n in range(entries):
        pain(patient, n % 11, NOW - timedelta(minutes=23 * (n + 1)), contexts[n % 5], check=False)


@pytest.mark.parametrize("history", [0, 40, 400])
def test_the_rules_read_returns_at_most_two_rows_per_entry_whatever_the_history(patient, history):
    history_store(patient, history)
    judged = [pain(patient, 5, NOW - timedelta(minutes=m), "morning", check=False) for m in (1, 2, 3)]
    ctx = SafetyContext.for_patient(patient)
    fetched = RowsFetched()
    with connection.execute_wrapper(fetched):
        windows = pain_windows_of([(ctx, log) for log in judged])
    assert len(fetched.rows) == 1 and fetched.rows[0] <= 2 * len(judged)
    # And it is the answer: the last entry's spike window holds every earlier entry of the last 7 days.
    in_window = PainLog.objects.filter(
        patient=patient,
        recorded_at__gte=judged[0].recorded_at - timedelta(days=7),
        recorded_at__lt=judged[0].recorded_at,
    )
    assert windows[0].any_context_count == in_window.count()
    assert windows[0].any_context_sum == sum(in_window.values_list("score", flat=True))


def test_a_patient_not_enrolled_is_judged_without_a_read(patient):
    log = pain(patient, 5, NOW, check=False)
    ctx = SafetyContext(patient=patient, enrollment=None)
    fetched = RowsFetched()
    with connection.execute_wrapper(fetched):
        assert pain_windows_of([(ctx, log)]) == [None]
    assert fetched.rows == []


def test_nothing_in_a_window_is_zeros(patient):
    log = pain(patient, 5, NOW, "morning", check=False)
    [window] = pain_windows_of([(SafetyContext.for_patient(patient), log)])
    assert window == PainWindow(this_week_count=1, this_week_sum=5)
