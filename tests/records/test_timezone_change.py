"""A patient who moves zone keeps their reviews at their own local midnight."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rehab.care.models import Milestone
from rehab.records.services import me_update, patient_update
from rehab.reminders.models import Reminder
from tests.factories import enrolled_patient

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)


def review(patient) -> Milestone:
    return Milestone.objects.get(enrollment__patient=patient, code="review-6-8-weeks")


def pending_reminder(patient) -> Reminder:
    return Reminder.objects.create(
        patient=patient,
        kind=Reminder.Kind.EXERCISE,
        slot="2026-03-05",
        due_at=datetime(2026, 3, 5, 9, tzinfo=ZoneInfo("Europe/London")),
        title="Exercises",
        body="Time for your exercises.",
        created_at=datetime(2026, 3, 4, tzinfo=ZoneInfo("UTC")),
    )


def local_midnight_after(day: date, zone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))


@time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_a_patient_moving_zone_moves_their_review_due_time_and_replans_reminders():
    patient = enrolled_patient(start=START, timezone="Europe/London")
    reminder = pending_reminder(patient)
    window_end = review(patient).window_end
    assert review(patient).due_at == local_midnight_after(window_end, "Europe/London") + timedelta(hours=24)

    me_update(user=patient.user, data={"timezone": "Australia/Sydney"})

    assert review(patient).due_at == local_midnight_after(window_end, "Australia/Sydney") + timedelta(hours=24)
    assert not Reminder.objects.filter(pk=reminder.pk).exists()  # the planner re-plans it in Sydney time


@time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_a_clinician_changing_the_zone_moves_undecided_milestones_only(physio):
    patient = enrolled_patient(start=START, timezone="Europe/London", clinic=physio.clinic)
    baseline = Milestone.objects.get(enrollment__patient=patient, code="baseline")
    Milestone.objects.filter(pk=baseline.pk).update(status=Milestone.Status.DONE)
    decided_due = Milestone.objects.get(pk=baseline.pk).due_at

    patient_update(patient=patient, by=physio, data={"timezone": "America/Los_Angeles"})

    assert Milestone.objects.get(pk=baseline.pk).due_at == decided_due
    expected = local_midnight_after(review(patient).window_end, "America/Los_Angeles") + timedelta(hours=24)
    assert review(patient).due_at == expected


@time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_changing_only_the_display_name_keeps_planned_reminders(physio):
    patient = enrolled_patient(start=START, timezone="Europe/London", clinic=physio.clinic)
    reminder = pending_reminder(patient)
    patient_update(patient=patient, by=physio, data={"display_name": "J. Smith"})
    assert Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.PENDING).exists()
