"""Episodes start on an active enrolment and stop; timers kept on the server become confirmed entries."""

from datetime import date, timedelta

import pytest

from config.errors import Conflict, FieldErrors, NotAllowed
from rehab.billing.models import TimeEntry
from rehab.billing.services.episodes import episode_start, episode_stop
from rehab.billing.services.time_entries import (
    time_entry_correct,
    time_entry_record,
    timer_confirm,
    timer_discard,
    timer_start,
    timer_stop,
)
from rehab.records.services import patient_update
from tests.billing.rtm import utc
from tests.factories import PhysioFactory, enrolled_patient

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(utc(2026, 11, 20, 12))]

TODAY = date(2026, 11, 20)


@pytest.fixture
def ruth(clinic):
    return enrolled_patient(start=date(2026, 11, 1), clinic=clinic, display_name="Ruth", timezone="UTC")


def test_an_episode_starts_today_by_default_and_stops(ruth, physio, frozen_clock):
    episode = episode_start(patient=ruth, by=physio)
    assert (episode.started_on, episode.started_by, episode.stopped_on) == (TODAY, physio, None)
    stopped = episode_stop(patient=ruth, by=physio, stopped_on=TODAY)
    assert (stopped.stopped_on, stopped.stopped_by) == (TODAY, physio)


def test_an_episode_starts_on_an_active_enrolment_only(ruth, physio, frozen_clock):
    with pytest.raises(FieldErrors) as refused:
        episode_start(patient=ruth, by=physio, started_on=date(2026, 10, 31))  # before the enrolment
    assert set(refused.value.errors) == {"started_on"}
    with pytest.raises(FieldErrors):
        episode_start(patient=ruth, by=physio, started_on=TODAY + timedelta(days=1))
    patient_update(patient=ruth, by=physio, data={"status": "discharged"})
    with pytest.raises(Conflict):
        episode_start(patient=ruth, by=physio)


def test_one_episode_runs_at_a_time_and_episodes_never_overlap(ruth, physio, frozen_clock):
    episode_start(patient=ruth, by=physio, started_on=date(2026, 11, 2))
    with pytest.raises(Conflict):
        episode_start(patient=ruth, by=physio)
    episode_stop(patient=ruth, by=physio, stopped_on=date(2026, 11, 10))
    with pytest.raises(FieldErrors):
        episode_start(patient=ruth, by=physio, started_on=date(2026, 11, 10))
    assert episode_start(patient=ruth, by=physio, started_on=date(2026, 11, 11)).started_on == date(2026, 11, 11)


def test_stopping_needs_a_running_episode_and_a_day_after_its_start(ruth, physio, frozen_clock):
    with pytest.raises(Conflict):
        episode_stop(patient=ruth, by=physio)
    episode_start(patient=ruth, by=physio, started_on=date(2026, 11, 5))
    with pytest.raises(FieldErrors):
        episode_stop(patient=ruth, by=physio, stopped_on=date(2026, 11, 4))


def test_time_cannot_start_in_the_future(ruth, physio, frozen_clock):
    with pytest.raises(FieldErrors) as refused:
        time_entry_record(
            patient=ruth, by=physio, activity="call", started_at=utc(2026, 11, 20, 12, 6), minutes=5, interactive=True
        )
    assert set(refused.value.errors) == {"started_at"}


def test_a_clinician_corrects_only_their_own_entry_and_each_entry_once(ruth, physio, frozen_clock):
    entry = time_entry_record(
        patient=ruth, by=physio, activity="call", started_at=utc(2026, 11, 20, 9), minutes=5, interactive=True
    )
    with pytest.raises(NotAllowed):
        time_entry_correct(entry=entry, by=PhysioFactory(clinic=ruth.clinic), minutes=9, note="mine now")
    amended = time_entry_correct(entry=entry, by=physio, minutes=9, note="it was 9")
    assert (amended.kind, amended.corrects, amended.minutes, amended.interactive) == ("amend", entry, 9, True)
    with pytest.raises(Conflict):
        time_entry_correct(entry=entry, by=physio, minutes=7, note="again")
    reversal = time_entry_correct(entry=amended, by=physio, reverse=True, note="wrong patient")
    assert (reversal.kind, reversal.minutes) == ("reverse", 0)
    with pytest.raises(Conflict):
        time_entry_correct(entry=reversal, by=physio, minutes=3, note="undo")
    assert TimeEntry.objects.get(pk=entry.pk).minutes == 5


def test_a_timer_runs_on_the_server_and_becomes_the_entry_the_physio_confirms(ruth, physio, frozen_clock):
    timer = timer_start(patient=ruth, by=physio)
    with pytest.raises(Conflict):
        timer_start(patient=ruth, by=physio)  # one at a time
    frozen_clock.move_to(utc(2026, 11, 20, 12, 14, 40))
    timer_stop(timer=timer, by=physio)
    frozen_clock.move_to(utc(2026, 11, 20, 13))  # confirmed later: the stop instant counts
    with pytest.raises(FieldErrors):
        timer_confirm(timer=timer, by=physio, activity="call", interactive=True, minutes=15)
    entry = timer_confirm(timer=timer, by=physio, activity="call", interactive=True, note="weekly call")
    assert (entry.started_at, entry.minutes, entry.clinician, entry.interactive) == (
        utc(2026, 11, 20, 12),
        14,
        physio,
        True,
    )
    with pytest.raises(Conflict):
        timer_confirm(timer=timer, by=physio, activity="call", interactive=True)
    assert timer_start(patient=ruth, by=physio).pk != timer.pk  # the next one may start


def test_another_clinicians_timer_is_not_theirs_to_stop_and_a_discarded_one_records_nothing(ruth, physio, frozen_clock):
    timer = timer_start(patient=ruth, by=physio)
    with pytest.raises(NotAllowed):
        timer_stop(timer=timer, by=PhysioFactory(clinic=ruth.clinic))
    timer_discard(timer=timer, by=physio)
    with pytest.raises(Conflict):
        timer_stop(timer=timer, by=physio)
    assert TimeEntry.objects.count() == 0
