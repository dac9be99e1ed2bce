"""The pain entries the arrival rules judge a new entry against, for many patients in one read.

Read on every pain entry the phone sends, so it is written as one plain SQL
statement: building the same query with the ORM cost more Python per request
than the database spends answering it (bench/README.md has the figures).
The statement is portable (PostgreSQL and the embedded SQLite default); what
SQLite returns without a zone or as text is converted here.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import NamedTuple

from django.db import connection

from rehab.logs.models import PainLog


class PainEntry(NamedTuple):
    pk: int
    recorded_at: datetime
    local_date: date
    context: str
    score: int


def recent_pain_entries(
    patient_ids: Iterable[int], *, any_context_from: date, morning_from: date, until: date
) -> dict[int, list[PainEntry]]:
    """Entries of any context dated any_context_from..until, and morning ones from morning_from, by patient."""
    ids = list(patient_ids)
    if not ids:
        return {}
    sql = (
        f"SELECT patient_id, id, recorded_at, local_date, context, score FROM {PainLog._meta.db_table} "
        f"WHERE patient_id IN ({', '.join(['%s'] * len(ids))}) AND local_date >= %s AND local_date <= %s "
        "AND (local_date >= %s OR context = %s)"
    )
    params = [*ids, min(any_context_from, morning_from), until, any_context_from, PainLog.Context.MORNING.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_patient: dict[int, list[PainEntry]] = defaultdict(list)
    for patient_id, pk, recorded_at, local_date, context, score in rows:
        by_patient[patient_id].append(PainEntry(pk, _instant(recorded_at), _date(local_date), context, score))
    return by_patient


def _instant(value: datetime | str) -> datetime:
    # SQLite keeps instants in UTC without a zone (as text, or naive datetimes); PostgreSQL returns aware ones.
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
