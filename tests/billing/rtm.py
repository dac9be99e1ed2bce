"""RTM test data: episodes, patient logs on chosen local days and clinicians' minutes, written as stored."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from config import clock
from rehab.billing.models import Episode, TimeEntry
from rehab.logs.models import ExerciseLog, PainLog
from tests.factories import enrolled_patient


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rtm_patient(clinic, by, *, started_on: date, timezone: str = "UTC", name: str = "Ruth"):
    """A patient of the clinic on conservative care (enrolled a week before) with RTM from `started_on`."""
    patient = enrolled_patient(
        start=started_on - timedelta(days=7), clinic=clinic, display_name=name, timezone=timezone
    )
    Episode.objects.create(patient=patient, started_on=started_on, started_by=by, created_at=clock.now())
    return patient


def log_on(patient, day: date, *, kind: str = "pain", received_at: datetime | None = None):
    """A patient's log on their local `day` (at local noon), received then unless said otherwise."""
    at = clock.local_instant(day, time(12, 0), patient.timezone)
    base = {"patient": patient, "client_id": uuid.uuid4(), "local_date": day, "received_at": received_at or at}
    if kind == "exercise":
        return ExerciseLog.objects.create(
            **base, performed_at=at, exercise="calf-raise", sets=3, reps=10, completed=True
        )
    return PainLog.objects.create(**base, recorded_at=at, score=3)


def log_days(patient, first: date, count: int, **kwargs) -> None:
    """One log on each of `count` consecutive local days from `first`."""
    for n in range(count):
        log_on(patient, first + timedelta(days=n), **kwargs)


def spent(patient, clinician, at: datetime, minutes: int, *, interactive: bool = False, recorded_at=None):
    """Minutes as the service stores them (the tests of the service itself go through it)."""
    return TimeEntry.objects.create(
        patient=patient,
        clinician=clinician,
        activity="data_review",
        started_at=at,
        minutes=minutes,
        interactive=interactive,
        recorded_at=recorded_at or at,
    )
