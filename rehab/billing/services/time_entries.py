"""Clinicians' monitoring minutes: entries (append-only, corrected by new entries) and server-side timers."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from config import clock
from config.errors import Conflict, FieldErrors, NotAllowed
from patients.models import Patient, User
from rehab.billing.models import TimeEntry, Timer

# As for a patient's logs: a phone or browser clock a little ahead is not a time in the future.
FUTURE_TOLERANCE = timedelta(minutes=5)


class EntryConflict(Conflict):
    """The entry was corrected already, or is a reversal; the timer is running, stopped or gone."""


class NotYourTime(NotAllowed):
    """A clinician records and corrects only their own time."""


def _check_start(started_at: datetime) -> None:
    if started_at > clock.now() + FUTURE_TOLERANCE:
        raise FieldErrors.on("started_at", "The time spent cannot start in the future.")


def time_entry_record(
    *,
    patient: Patient,
    by: User,
    activity: str,
    started_at: datetime,
    minutes: int,
    interactive: bool,
    note: str = "",
) -> TimeEntry:
    _check_start(started_at)
    return TimeEntry.objects.create(
        patient=patient,
        clinician=by,
        activity=activity,
        started_at=started_at,
        minutes=minutes,
        interactive=interactive,
        note=note,
        recorded_at=clock.now(),
    )


@transaction.atomic
def time_entry_correct(*, entry: TimeEntry, by: User, reverse: bool = False, note: str = "", **figures) -> TimeEntry:
    """A new entry that amends `entry` (its figures, the old ones where not given) or reverses it.

    Both stay: the ledger counts only the latest of a chain, and nothing of a reversed one.
    """
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.clinician_id != by.pk:
        raise NotYourTime("Only the clinician who recorded this time can correct it.")
    if entry.kind == TimeEntry.Kind.REVERSE:
        raise EntryConflict("A reversal cannot be corrected; record the time again.")
    if TimeEntry.objects.filter(corrects=entry).exists():
        raise EntryConflict("This entry was corrected already; correct the latest correction.")
    amended = {
        "activity": figures.get("activity", entry.activity),
        "started_at": figures.get("started_at", entry.started_at),
        "minutes": 0 if reverse else figures.get("minutes", entry.minutes),
        "interactive": figures.get("interactive", entry.interactive),
    }
    if not reverse:
        _check_start(amended["started_at"])
    try:
        with transaction.atomic():
            return TimeEntry.objects.create(
                patient_id=entry.patient_id,
                clinician=by,
                kind=TimeEntry.Kind.REVERSE if reverse else TimeEntry.Kind.AMEND,
                corrects=entry,
                note=note,
                recorded_at=clock.now(),
                **amended,
            )
    except IntegrityError:
        raise EntryConflict("This entry was corrected already; correct the latest correction.") from None


def timer_start(*, patient: Patient, by: User) -> Timer:
    """Start the clinician's clock on a patient; one unconfirmed timer per clinician at a time."""
    try:
        with transaction.atomic():
            return Timer.objects.create(patient=patient, clinician=by, started_at=clock.now())
    except IntegrityError:
        raise EntryConflict("You have a timer that is not confirmed yet: confirm or discard it first.") from None


def _open_timer(timer: Timer, by: User) -> Timer:
    timer = Timer.objects.select_for_update().get(pk=timer.pk)
    if timer.clinician_id != by.pk:
        raise NotYourTime("Only the clinician who started this timer can use it.")
    if timer.entry_id is not None or timer.discarded_at is not None:
        raise EntryConflict("This timer was confirmed or discarded already.")
    return timer


@transaction.atomic
def timer_stop(*, timer: Timer, by: User) -> Timer:
    timer = _open_timer(timer, by)
    if timer.stopped_at is not None:
        raise EntryConflict("This timer is stopped already.")
    timer.stopped_at = clock.now()
    timer.save(update_fields=["stopped_at"])
    return timer


def timer_minutes(timer: Timer) -> int:
    """Whole minutes the timer ran (until now while it runs), at least one."""
    until = timer.stopped_at or clock.now()
    return max(1, int((until - timer.started_at).total_seconds() // 60))


@transaction.atomic
def timer_confirm(
    *, timer: Timer, by: User, activity: str, interactive: bool, note: str = "", minutes: int | None = None
) -> TimeEntry:
    """The timer becomes an entry from its start instant; the clinician may count fewer minutes, never more."""
    timer = _open_timer(timer, by)
    if timer.stopped_at is None:
        timer.stopped_at = clock.now()
    ran = timer_minutes(timer)
    if minutes is not None and minutes > ran:
        raise FieldErrors.on("minutes", f"The timer ran {ran} minutes; count at most that.")
    entry = time_entry_record(
        patient=timer.patient,
        by=by,
        activity=activity,
        started_at=timer.started_at,
        minutes=minutes or ran,
        interactive=interactive,
        note=note,
    )
    timer.entry = entry
    timer.save(update_fields=["stopped_at", "entry"])
    return entry


@transaction.atomic
def timer_discard(*, timer: Timer, by: User) -> Timer:
    timer = _open_timer(timer, by)
    timer.discarded_at = clock.now()
    timer.stopped_at = timer.stopped_at or timer.discarded_at
    timer.save(update_fields=["discarded_at", "stopped_at"])
    return timer
