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


class StatementsSent:
    def __init__(self):
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the arrays are PostgreSQL's form of a batch")
def test_a_batch_is_answered_alike_one_by_one_and_together_by_one_text_for_every_size(patient):
    """A batch's asks go as arrays on PostgreSQL: the same answers as each ask alone (a VALUES row), and the
    same statement text whatever the batch's size, so the server prepares it once."""
    history_store(patient, 60)
    contexts = [c.value for c in PainLog.Context]
    judged = [
        pain(patient, n % 11, NOW - timedelta(hours=5 * n, minutes=7), contexts[n % 5], check=False) for n in range(9)
    ]
    ctx = SafetyContext.for_patient(patient)
    sent = StatementsSent()
    with connection.execute_wrapper(sent):
        together = pain_windows_of([(ctx, log) for log in judged])
        fewer = pain_windows_of([(ctx, log) for log in judged[:4]])
    alone = [pain_windows_of([(ctx, log)])[0] for log in judged]
    assert together == alone and fewer == alone[:4]
    assert any(w.same_context_count and w.this_week_count for w in together)  # the windows hold entries
    assert len(sent.sql) == 2 and sent.sql[0] == sent.sql[1] and "unnest" in sent.sql[0]
