"""A patient's quiet hours, in local wall-clock time (they may wrap past midnight)."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from config import clock

# Reminders moved out of quiet hours land this long before quiet hours begin,
# so a sender sweeping every few minutes reaches them in time.
MARGIN = timedelta(minutes=15)


def in_quiet_hours(at: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


# Pure, and most patients share a zone, quiet hours and reminder times: a
# planner run over 100,000 patients asks a few hundred distinct questions.
@lru_cache(maxsize=4096)
def reminder_instant(on: date, at: time, tz_name: str, start: time, end: time) -> datetime:
    """The UTC instant of a local wall time on a date in a zone, moved to the nearest time outside
    quiet hours `start`-`end` that day."""
    if in_quiet_hours(at, start, end):
        before = (datetime.combine(on, start) - MARGIN).time()
        options = [t for t in (end, before) if not in_quiet_hours(t, start, end)]
        at = min(options, key=lambda t: abs(_minutes(t) - _minutes(at)), default=at)
    return clock.local_instant(on, at, tz_name)


def quiet_hours_end_after(instant: datetime, tz_name: str, start: time, end: time) -> datetime | None:
    """When quiet hours `start`-`end` in the zone that cover `instant` end; None when it is not in quiet hours."""
    local = instant.astimezone(ZoneInfo(tz_name))
    if not in_quiet_hours(local.time().replace(tzinfo=None), start, end):
        return None
    day = local.date() if local.time().replace(tzinfo=None) < end else local.date() + timedelta(days=1)
    return clock.local_instant(day, end, tz_name)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
