"""The one clock of the project.

Every "now" and "today" comes from here, so tests move time with time-machine
and queries receive the instant as a value (never the database's NOW()).
Stored instants are UTC; a date a patient sees is in the patient's zone.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def local_today(tz_name: str, *, at: datetime | None = None) -> date:
    return (at or now()).astimezone(ZoneInfo(tz_name)).date()


def local_date_of(instant: datetime, tz_name: str) -> date:
    return instant.astimezone(ZoneInfo(tz_name)).date()


def local_instant(on: date, at: time, tz_name: str) -> datetime:
    """The UTC instant of a wall-clock time on a local date.

    Across a daylight-saving gap the wall time may not exist; zoneinfo then
    resolves it forwards (fold=0), which is what a reminder wants.
    """
    local = datetime.combine(on, at, tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)


def end_of_local_day(on: date, tz_name: str) -> datetime:
    """Local midnight after `on`: the instant a window's last day ends."""
    return local_instant(on + timedelta(days=1), time(0, 0), tz_name)
