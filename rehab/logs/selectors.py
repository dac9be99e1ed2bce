"""What the pain rules judge a new entry against: counts and sums of the stored entries, not the entries.

Read on every pain entry the phone sends, so it is one plain SQL statement for
any number of entries (a request's one, a sync batch's week): for each entry,
the count and sum of scores of the entries in its spike window (same context,
and every context) and of the morning entries of its two morning weeks. One
row per entry and rule whatever the history, and the database adds up the
scores through indexes that cover them (bench/README.md has the figures). The
windows are the rules' own bounds, worked out by the caller
(rehab.rules.services.safety.pain); this module only adds up what falls inside
them. The spike window's upper bound is strict, so an entry is never in its
own window, stored or not.

Two statements give the same answers:
- one entry (and any batch on the embedded SQLite default) is a VALUES row
  joined to the entries in its windows: the index range of that one entry's
  windows, added up;
- a batch on PostgreSQL goes as one array per column, and is answered by
  running totals: the entries in the span of all the batch's windows are read
  once, in order, with each window's edges placed among them, and a window's
  count is the total at its upper edge less the total at its lower one. A
  week's batch of 21 entries reads the week's entries once, not 21 times over,
  and the statement's text is the same for every batch size, so the server
  prepares it once.
Bounds are passed as the database stores them (connection.ops adapts them).
"""

from datetime import date, datetime
from typing import NamedTuple

from django.db import connection

from config.db.prepared import prepared_cursor
from rehab.logs.models import PainLog


class PainWindowAsk(NamedTuple):
    """One entry's windows, as the pain rules bound them."""

    patient_id: int
    recorded_at: datetime
    context: str
    spike_since: datetime  # spike window: spike_since <= recorded_at < the entry's recorded_at
    morning: bool  # read the morning weeks too
    morning_after: date  # morning weeks: morning_after < local_date <= morning_until,
    week_after: date  # the latest week being local_date > week_after
    morning_until: date


class PainWindow(NamedTuple):
    """The answer for one entry: counts and score sums (zero when nothing falls in a window)."""

    same_context_count: int = 0
    same_context_sum: int = 0
    any_context_count: int = 0
    any_context_sum: int = 0
    this_week_count: int = 0  # morning entries of the latest week
    this_week_sum: int = 0
    week_before_count: int = 0  # morning entries of the week before it
    week_before_sum: int = 0


_COLUMNS = "n, patient_id, recorded_at, context, spike_since, morning, morning_after, week_after, morning_until"

_MORNING = PainLog.Context.MORNING.value  # a code constant, written into the SQL as a literal

# One entry's windows, added up from the index range of each (the portable form).
_ONE_BY_ONE = """
WITH asked ({columns}) AS (VALUES {rows})
SELECT a.n, 0,
       SUM(CASE WHEN o.context = a.context THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.context = a.context THEN o.score ELSE 0 END),
       COUNT(*),
       SUM(o.score)
FROM asked a
JOIN {table} o ON o.patient_id = a.patient_id AND o.recorded_at >= a.spike_since AND o.recorded_at < a.recorded_at
GROUP BY a.n
UNION ALL
SELECT a.n, 1,
       SUM(CASE WHEN o.local_date > a.week_after THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.local_date > a.week_after THEN o.score ELSE 0 END),
       SUM(CASE WHEN o.local_date <= a.week_after THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.local_date <= a.week_after THEN o.score ELSE 0 END)
FROM asked a
JOIN {table} o ON o.patient_id = a.patient_id AND o.context = '{morning}' AND o.local_date > a.morning_after
                  AND o.local_date <= a.morning_until
WHERE a.morning = 1
GROUP BY a.n
"""

# A batch's windows from running totals (PostgreSQL). Each patient's span is read through LATERAL with
# OFFSET 0 (which keeps the planner from flattening it into a join), so that even a generic plan (a
# prepared statement's, which knows neither the batch nor the bounds) reads it by the patient's index
# range; a plain join let it plan a scan of the whole table. Each window edge is a row among the entries, with no
# score of its own: the spike window's edges sort before the entries of their instant (since <= t < until:
# the totals at an edge are of the entries strictly before it), the morning weeks' after the entries of
# their day (after < d <= until: the totals at an edge are of the entries up to and including its day).
_RUNNING_TOTALS = """
WITH asked ({columns}) AS (
    SELECT * FROM unnest(%b::integer[], %b::bigint[], %b::timestamptz[], %b::text[], %b::timestamptz[],
                         %b::integer[], %b::date[], %b::date[], %b::date[])
),
spans AS (
    SELECT patient_id, MIN(spike_since) AS since, MAX(recorded_at) AS until FROM asked GROUP BY patient_id
),
spike_rows (patient_id, at, entry, context, score, n, upper) AS (
    SELECT s.patient_id, o.recorded_at, 1, o.context::text, o.score, NULL::integer, NULL::integer
    FROM spans s CROSS JOIN LATERAL (
        SELECT recorded_at, context, score FROM {table}
        WHERE patient_id = s.patient_id AND recorded_at >= s.since AND recorded_at < s.until
        OFFSET 0
    ) o
    UNION ALL SELECT patient_id, spike_since, 0, context, 0, n, 0 FROM asked
    UNION ALL SELECT patient_id, recorded_at, 0, context, 0, n, 1 FROM asked
),
spike_totals AS (
    SELECT n, upper, SUM(entry) OVER same AS same_count, SUM(score) OVER same AS same_sum,
           SUM(entry) OVER every AS any_count, SUM(score) OVER every AS any_sum
    FROM spike_rows
    WINDOW same AS (PARTITION BY patient_id, context ORDER BY at, entry ROWS UNBOUNDED PRECEDING),
           every AS (PARTITION BY patient_id ORDER BY at, entry ROWS UNBOUNDED PRECEDING)
),
morning_spans AS (
    SELECT patient_id, MIN(morning_after) AS after, MAX(morning_until) AS until
    FROM asked WHERE morning = 1 GROUP BY patient_id
),
morning_rows (patient_id, day, edge_row, score, n, edge) AS (
    SELECT s.patient_id, o.local_date, 0, o.score, NULL::integer, NULL::integer
    FROM morning_spans s CROSS JOIN LATERAL (
        SELECT local_date, score FROM {table}
        WHERE patient_id = s.patient_id AND context = '{morning}' AND local_date > s.after AND local_date <= s.until
        OFFSET 0
    ) o
    UNION ALL SELECT patient_id, morning_after, 1, 0, n, 0 FROM asked WHERE morning = 1
    UNION ALL SELECT patient_id, week_after, 1, 0, n, 1 FROM asked WHERE morning = 1
    UNION ALL SELECT patient_id, morning_until, 1, 0, n, 2 FROM asked WHERE morning = 1
),
morning_totals AS (
    SELECT n, edge, SUM(1 - edge_row) OVER days AS count, SUM(score) OVER days AS total
    FROM morning_rows WINDOW days AS (PARTITION BY patient_id ORDER BY day, edge_row ROWS UNBOUNDED PRECEDING)
)
SELECT n, 0, SUM(CASE WHEN upper = 1 THEN same_count ELSE -same_count END),
       SUM(CASE WHEN upper = 1 THEN same_sum ELSE -same_sum END),
       SUM(CASE WHEN upper = 1 THEN any_count ELSE -any_count END),
       SUM(CASE WHEN upper = 1 THEN any_sum ELSE -any_sum END)
FROM spike_totals WHERE n IS NOT NULL GROUP BY n
UNION ALL
SELECT n, 1, SUM(CASE edge WHEN 2 THEN count WHEN 1 THEN -count ELSE 0 END),
       SUM(CASE edge WHEN 2 THEN total WHEN 1 THEN -total ELSE 0 END),
       SUM(CASE edge WHEN 1 THEN count WHEN 0 THEN -count ELSE 0 END),
       SUM(CASE edge WHEN 1 THEN total WHEN 0 THEN -total ELSE 0 END)
FROM morning_totals WHERE n IS NOT NULL GROUP BY n
"""


def pain_windows(asks: list[PainWindowAsk]) -> list[PainWindow]:
    """The answer for each ask, in order: one statement, at most two rows per ask, whatever the history."""
    if not asks:
        return []
    ops = connection.ops
    rows = [
        (
            n,
            ask.patient_id,
            ops.adapt_datetimefield_value(ask.recorded_at),
            ask.context,
            ops.adapt_datetimefield_value(ask.spike_since),
            int(ask.morning),
            ops.adapt_datefield_value(ask.morning_after),
            ops.adapt_datefield_value(ask.week_after),
            ops.adapt_datefield_value(ask.morning_until),
        )
        for n, ask in enumerate(asks)
    ]
    # The morning context is written into the statement, not passed: a prepared statement's generic plan
    # can then read the partial index of morning entries (painlog_patient_mornings), as a literal's plan does.
    names = {"columns": _COLUMNS, "table": PainLog._meta.db_table, "morning": _MORNING}
    if len(rows) > 1 and connection.vendor == "postgresql":
        sql, params = _RUNNING_TOTALS.format(**names), [list(column) for column in zip(*rows, strict=True)]
    else:
        row = f"({', '.join(['%s'] * len(rows[0]))})"
        sql = _ONE_BY_ONE.format(rows=", ".join([row] * len(rows)), **names)
        params = [value for row in rows for value in row]
    with prepared_cursor() as cursor:  # parsed and planned once per connection
        cursor.execute(sql, params)
        answered = cursor.fetchall()
    found: list[dict[int, tuple]] = [{} for _ in asks]
    for n, part, *figures in answered:
        found[n][part] = tuple(int(x or 0) for x in figures)
    return [PainWindow(*(f.get(0) or (0, 0, 0, 0)), *(f.get(1) or (0, 0, 0, 0))) for f in found]
