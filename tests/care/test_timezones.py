"""A patient's "today" is in the patient's own zone, wherever the server is."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from config import clock
from protocols.timeline import plan_for_day
from rehab.care.selectors.enrollment import enrollment_current
from tests.factories import enrolled_patient

# Sunday 1 March 2026, 15:00 UTC: already Monday 2 March 02:00 in Sydney (UTC+11),
# still Sunday 1 March 07:00 in Los Angeles (UTC-8).
INSTANT = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def test_sydney_and_los_angeles_have_different_todays_at_the_same_instant():
    with time_machine.travel(INSTANT, tick=False):
        assert clock.local_today("Australia/Sydney") == date(2026, 3, 2)
        assert clock.local_today("America/Los_Angeles") == date(2026, 3, 1)
        assert clock.local_today("UTC") == date(2026, 3, 1)


def test_the_day_changes_at_local_midnight_not_utc_midnight():
    just_before = datetime(2026, 3, 1, 12, 59, tzinfo=UTC)  # 23:59 in Sydney
    with time_machine.travel(just_before, tick=False):
        assert clock.local_today("Australia/Sydney") == date(2026, 3, 1)
    with time_machine.travel(datetime(2026, 3, 1, 13, 0, tzinfo=UTC), tick=False):
        assert clock.local_today("Australia/Sydney") == date(2026, 3, 2)
    with time_machine.travel(datetime(2026, 3, 2, 7, 59, tzinfo=UTC), tick=False):  # 23:59 in Los Angeles
        assert clock.local_today("America/Los_Angeles") == date(2026, 3, 1)


@pytest.mark.django_db
def test_patients_started_on_the_same_date_are_on_different_days_at_the_same_instant():
    start = date(2026, 2, 1)
    with time_machine.travel(INSTANT, tick=False):
        sydney = enrolled_patient(start=start, timezone="Australia/Sydney", display_name="Sydney")
        los_angeles = enrolled_patient(start=start, timezone="America/Los_Angeles", display_name="Los Angeles")
        days = {}
        for patient in (sydney, los_angeles):
            enrollment = enrollment_current(patient)
            today = clock.local_today(patient.timezone)
            days[patient.display_name] = plan_for_day(enrollment.protocol_version.definition, start, today)["day"]
    assert days == {"Sydney": 29, "Los Angeles": 28}


@pytest.mark.django_db
def test_an_enrolment_starting_tomorrow_in_utc_is_already_current_in_sydney():
    with time_machine.travel(INSTANT, tick=False):
        sydney = enrolled_patient(start=date(2026, 3, 2), timezone="Australia/Sydney", display_name="Sydney")
        los_angeles = enrolled_patient(start=date(2026, 3, 2), timezone="America/Los_Angeles", display_name="LA")
        assert enrollment_current(sydney) is not None
        assert enrollment_current(los_angeles) is None


def test_a_windows_last_day_ends_at_local_midnight_across_a_daylight_saving_change():
    # Sydney leaves daylight saving at 03:00 on 5 April 2026 (UTC+11 -> UTC+10): that day has 25 hours.
    assert clock.end_of_local_day(date(2026, 4, 4), "Australia/Sydney") == datetime(2026, 4, 4, 13, 0, tzinfo=UTC)
    assert clock.end_of_local_day(date(2026, 4, 5), "Australia/Sydney") == datetime(2026, 4, 5, 14, 0, tzinfo=UTC)
    # Los Angeles starts daylight saving at 02:00 on 8 March 2026 (UTC-8 -> UTC-7): that day has 23 hours.
    assert clock.end_of_local_day(date(2026, 3, 7), "America/Los_Angeles") == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert clock.end_of_local_day(date(2026, 3, 8), "America/Los_Angeles") == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)


def test_a_local_time_is_stored_as_its_utc_instant():
    assert clock.local_instant(date(2026, 3, 2), time(9, 0), "Australia/Sydney") == datetime(
        2026, 3, 1, 22, 0, tzinfo=UTC
    )
    assert clock.local_date_of(INSTANT, "Australia/Sydney") == date(2026, 3, 2)
    assert clock.local_date_of(INSTANT, "America/Los_Angeles") == date(2026, 3, 1)
