"""Instants read from PostgreSQL: parsed by psycopg's own loader, in Django's zone, as Django's loader gave them."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from hypothesis import given, settings
from hypothesis import strategies as st

from config.db.postgresql.base import _TzLoader
from config.db.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

SQL = "SELECT %s::timestamptz, %s::text::timestamptz"


def read(cursor, instant: datetime) -> list:
    cursor.execute(SQL, [instant, instant.isoformat()])
    return list(cursor.fetchone())


@pytest.mark.parametrize("cursor_of", [connection.cursor, prepared_cursor], ids=["django", "prepared"])
def test_both_cursors_load_instants_in_djangos_zone_with_this_loader(cursor_of):
    instant = datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    with cursor_of() as cursor:
        assert read(cursor, instant) == [instant, instant]
        assert all(value.tzinfo is UTC for value in read(cursor, instant))
        assert issubclass(cursor.cursor.adapters.get_loader(1184, 0), _TzLoader)


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()),
    zone=st.sampled_from([UTC, None, ZoneInfo("Asia/Tokyo")]),  # Django's zone; None: USE_TZ off, naive instants
    session_zone=st.sampled_from(["UTC", "Asia/Kolkata", "America/St_Johns"]),  # offsets in seconds before 1942
)
def test_an_instant_loads_as_djangos_own_loader_loads_it(instant, zone, session_zone):
    def loader(base):
        return type("Loader", (base,), {"timezone": zone})(1184, connection.connection)

    with connection.cursor() as cursor:
        cursor.execute(f"SET TIME ZONE '{session_zone}'")  # a name from the list above
        try:
            cursor.execute("SELECT %s::timestamptz::text", [instant])
            [text] = cursor.fetchone()
            theirs, ours = loader(BaseTzLoader).load(text.encode()), loader(_TzLoader).load(text.encode())
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert (ours, ours.tzinfo) == (theirs, theirs.tzinfo) and ours.tzinfo is zone


def test_an_instant_past_what_python_holds_is_refused_as_before():
    with connection.cursor() as cursor, pytest.raises(DataError, match="after year 10K"):
        cursor.execute("SELECT 'infinity'::timestamptz")
        cursor.fetchone()
