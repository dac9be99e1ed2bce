"""The pain rules' read returns an answer, not rows: at most two rows per entry judged, whatever the history."""

from datetime import timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import clock
from rehab.logs.models import PainLog
from rehab.logs.selectors import PainWindow, PainWindowAsk, pain_windows
from rehab.rules.services.safety.context import SafetyContext
from rehab.rules.services.safety.pain import pain_windows_of
from tests.factories import enrolled_patient
from tests.support.clock import NOW
from tests.support.logs import pain
from tests.support.patient_api import START

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


CONTEXTS = [c.value for c in PainLog.Context]
INSTANTS = [NOW - timedelta(hours=5 * k) for k in range(60)]  # 12 days, so entries and edges share instants


@pytest.mark.skipif(connection.vendor != "postgresql", reason="running totals are PostgreSQL's form of a batch")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(
        st.tuples(st.booleans(), st.sampled_from(INSTANTS), st.sampled_from(CONTEXTS), st.integers(0, 10)),
        max_size=50,
    ),
    asks=st.lists(
        st.tuples(st.booleans(), st.sampled_from(INSTANTS), st.sampled_from(CONTEXTS), st.integers(1, 8),
                  st.integers(1, 8)),
        min_size=2, max_size=9,
    ),
)  # fmt: skip
def test_running_totals_answer_each_window_as_its_own_index_range_does(patient, entries, asks):
    """Random diaries of two patients, with window edges on the entries' own instants and days: a batch's
    running totals give every ask the answer the one-entry statement gives it alone."""
    other = _other_patient(patient)
    PainLog.objects.filter(patient__in=[patient, other]).delete()
    for n, (mine, at, context, score) in enumerate(entries):
        owner = patient if mine else other
        PainLog.objects.create(
            patient=owner, client_id=f"00000000-0000-4000-8000-{n:012d}", recorded_at=at, received_at=NOW,
            local_date=clock.local_date_of(at, owner.timezone), score=score, context=context,
        )  # fmt: skip
    judged = []
    for mine, at, context, spike_days, week_days in asks:
        owner = patient if mine else other
        day, week = clock.local_date_of(at, owner.timezone), timedelta(days=week_days)
        judged.append(
            PainWindowAsk(
                patient_id=owner.pk, recorded_at=at, context=context, spike_since=at - timedelta(days=spike_days),
                morning=context == "morning", morning_after=day - 2 * week, week_after=day - week, morning_until=day,
            )
        )  # fmt: skip
    assert pain_windows(judged) == [pain_windows([ask])[0] for ask in judged]


def _other_patient(patient):
    found = getattr(patient, "_other_for_windows", None)
    if found is None:
        found = patient._other_for_windows = enrolled_patient(start=START, timezone="Pacific/Kiritimati")
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the batch statement is PostgreSQL's")
def test_a_batch_s_generic_plan_reads_the_patient_s_entries_by_index(patient):
    """A prepared statement's generic plan knows neither the batch nor its bounds: it must still read a
    patient's span through the index, not scan every patient's entries."""
    import re

    from rehab.logs import selectors

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rehab_painlog (patient_id, client_id, local_date, received_at, recorded_at, score, context,"
            " note) SELECT %s, gen_random_uuid(), (%s::timestamptz - k * interval '7 minutes')::date, %s,"
            " %s::timestamptz - k * interval '7 minutes', k %% 11, (ARRAY['rest', 'morning', 'night'])[k %% 3 + 1],"
            " '' FROM generate_series(1, 4000) k",
            [patient.pk, NOW, NOW, NOW],
        )
        cursor.execute("ANALYZE rehab_painlog")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        numbered = iter(range(1, 100))
        sql = re.sub("%b", lambda _: f"${next(numbered)}", selectors._RUNNING_TOTALS.format(
            columns=selectors._COLUMNS, table="rehab_painlog", morning="morning"
        ))  # fmt: skip
        cursor.execute("PREPARE batch_windows AS " + sql)
        day, since, at = NOW.date(), NOW - timedelta(days=7), NOW
        cursor.execute(
            "EXPLAIN EXECUTE batch_windows(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [[0, 1], [patient.pk] * 2, [at] * 2, ["rest", "morning"], [since] * 2, [0, 1],
             [day - timedelta(days=14)] * 2, [day - timedelta(days=7)] * 2, [day] * 2],
        )  # fmt: skip
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE batch_windows")
    assert "Seq Scan on rehab_painlog" not in plan, plan
    assert "painlog_patient_time" in plan and "painlog_patient_mornings" in plan, plan
