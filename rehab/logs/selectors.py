"""What the pain rules judge a new entry against: counts and sums of the stored entries, not the entries.

Read on every pain entry the phone sends, so it is one plain SQL statement for
any number of entries (a request's one, a sync batch's week): for each entry,
the count and sum of scores of the entries in its spike window (same context,
and every context) and of the morning entries of its two morning weeks. One
row per entry and rule whatever the history, and the database adds up the
scores through indexes that cover them, so the cost of an entry does not grow
with the patient's history (bench/README.md has the figures). The windows are
the rules' own bounds, worked out by the caller (rehab.rules.services.safety.pain);
this module only adds up what falls inside them.

The statement is portable (PostgreSQL and the embedded SQLite default): bounds
are passed as the database stores them (connection.ops adapts them). The asks
are a VALUES list there; on PostgreSQL a batch's asks are arrays instead, one
per column, so the statement's text is the same for every batch size: the
server prepares it once, and the client does not parse a new text of hundreds
of placeholders for each batch (a third of a millisecond of a week's sync).
"""

from datetime import date, datetime
from typing import NamedTuple

from django.db import connection

from config.db.prepared import prepared_cursor
from rehab.logs.models import PainLog

NO_ENTRY = 0  # the id of an entry not stored yet: no stored entry has it


class PainWindowAsk(NamedTuple):
    """One entry's windows, as the pain rules bound them."""

    patient_id: int
    entry_id: int  # the entry itself is left out of its spike window; NO_ENTRY before it is stored
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


_COLUMNS = (
    "n, patient_id, entry_id, recorded_at, context, spike_since, morning, morning_after, week_after, morning_until"
)

_MORNING = PainLog.Context.MORNING.value  # a code constant, written into the SQL as a literal

# PostgreSQL's form of many asks: each column an array (in binary, %b: nothing to quote or parse as text),
# unnested into the rows a VALUES list would give.
_ASKED_ARRAYS = (
    "SELECT * FROM unnest(%b::integer[], %b::bigint[], %b::bigint[], %b::timestamptz[], %b::text[], "
    "%b::timestamptz[], %b::integer[], %b::date[], %b::date[], %b::date[])"
)

_SQL = """
WITH asked ({columns}) AS ({asked})
SELECT a.n, 0,
       SUM(CASE WHEN o.context = a.context THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.context = a.context THEN o.score ELSE 0 END),
       COUNT(*),
       SUM(o.score)
FROM asked a
JOIN {table} o ON o.patient_id = a.patient_id AND o.recorded_at >= a.spike_since AND o.recorded_at < a.recorded_at
                  AND o.id <> a.entry_id
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


def pain_windows(asks: list[PainWindowAsk]) -> list[PainWindow]:
    """The answer for each ask, in order: one statement, at most two rows per ask, whatever the history."""
    if not asks:
        return []
    ops = connection.ops
    rows = [
        (
            n,
            ask.patient_id,
            ask.entry_id,
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
    if len(rows) > 1 and connection.vendor == "postgresql":
        asked, params = _ASKED_ARRAYS, [list(column) for column in zip(*rows, strict=True)]
    else:
        row = f"({', '.join(['%s'] * len(rows[0]))})"
        asked, params = f"VALUES {', '.join([row] * len(rows))}", [value for row in rows for value in row]
    # The morning context is written into the statement, not passed: a prepared statement's generic plan
    # can then read the partial index of morning entries (painlog_patient_mornings), as a literal's plan does.
    sql = _SQL.format(columns=_COLUMNS, asked=asked, table=PainLog._meta.db_table, morning=_MORNING)
    with prepared_cursor() as cursor:  # parsed and planned once per connection
        cursor.execute(sql, params)
        answered = cursor.fetchall()
    found: list[dict[int, tuple]] = [{} for _ in asks]
    for n, part, *figures in answered:
        found[n][part] = tuple(int(x or 0) for x in figures)
    return [PainWindow(*(f.get(0) or (0, 0, 0, 0)), *(f.get(1) or (0, 0, 0, 0))) for f in found]
