"""Whole protocols with the clock moving: what patients and clinics actually receive.

Each simulated day the patient logs in the morning (or does not), and the
periodic jobs run as beat would (the same services; run_periodic's entry
point), at instants moved with time-machine.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config import clock
from patients.models import Device
from rehab.alerts.channels import push
from rehab.alerts.models import Alert, Delivery
from rehab.care.models import Milestone
from rehab.jobs.periodic import periodic_run
from rehab.reminders.models import Reminder
from rehab.reminders.services.quiet import in_quiet_hours
from tests.factories import enrolled_patient
from tests.support import logs

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TZ = "Europe/London"
START = date(2026, 1, 5)
RUNS = (time(0, 30), time(9, 5), time(18, 5))


@pytest.fixture(autouse=True)
def empty_push_outbox():
    push.outbox.clear()
    yield
    push.outbox.clear()


def local(on: date, at: time) -> datetime:
    return clock.local_instant(on, at, TZ)


def enrol(protocol="conservative-calcific-iat", start=START):
    with time_machine.travel(local(start, time(7)), tick=False):
        patient = enrolled_patient(protocol, start=start, timezone=TZ)
    Device.objects.create(patient=patient, platform="android", token=f"phone-{patient.pk}")
    return patient


def live(days, *, log=None, runs=RUNS, start=START):
    """Each day: the patient's morning entry (if any), then the periodic jobs at each run time."""
    for day in days:
        on = start + timedelta(days=day)
        if log is not None and (score := log(day)) is not None:
            with time_machine.travel(local(on, time(8)), tick=False):
                logs.pain(log.patient, score, local(on, time(8)))
        for at in runs:
            instant = local(on, at)
            with time_machine.travel(instant, tick=False):
                periodic_run(now=instant)


class Diary:
    """Pain scores a patient logs each morning: from `baseline` down (or not) to `later` by day 42."""

    def __init__(self, patient, baseline, later, silent_from=None):
        self.patient, self.baseline, self.later, self.silent_from = patient, baseline, later, silent_from

    def __call__(self, day):
        if self.silent_from is not None and day >= self.silent_from:
            return None
        return self.baseline if day < 7 else self.later


def test_an_improving_patient_gets_daily_reminders_and_no_referral_over_the_conservative_trial():
    patient = enrol()
    live(range(0, 60), log=Diary(patient, baseline=6, later=3))
    assert Milestone.objects.get(code="review-6-8-weeks").status == "met"
    assert not Alert.objects.filter(patient=patient).exists()
    exercise = Reminder.objects.filter(patient=patient, kind="exercise", status="sent")
    assert exercise.count() == 60
    assert Reminder.objects.filter(patient=patient, kind="questionnaire", slot="review-6-8-weeks:open").exists()
    assert len([m for m in push.outbox if m.title == "Time for today's exercises"]) == 60


def test_a_patient_not_improving_gets_exactly_one_referral_at_the_review_and_none_before():
    patient = enrol()
    live(range(0, 57), log=Diary(patient, baseline=6, later=6))
    assert not Alert.objects.filter(patient=patient).exists()  # still within the window and the grace day
    live(range(57, 70), log=Diary(patient, baseline=6, later=6))
    [alert] = Alert.objects.filter(patient=patient)
    assert alert.code == "review_not_improved" and alert.milestone.code == "review-6-8-weeks"
    assert alert.created_at == local(START + timedelta(days=58), time(0, 30))  # first run after day 56 + 24 h


def test_a_silent_patient_gets_one_engagement_alert_and_pain_nudges():
    patient = enrol()
    live(range(0, 30), log=Diary(patient, baseline=5, later=5, silent_from=3))
    [alert] = Alert.objects.filter(patient=patient)
    assert alert.code == "no_recent_logs"
    assert alert.created_at.astimezone(ZoneInfo(TZ)).date() == START + timedelta(days=9)
    assert Reminder.objects.filter(patient=patient, kind="pain_nudge", status="sent").count() >= 20


def test_heel_lift_reminders_arrive_on_the_right_local_evenings_across_the_clocks_going_forward_never_at_night():
    # Day 54 (heel lift to 3 cm) is 30 March 2026, the day after Britain's clocks went forward.
    start = date(2026, 2, 4)
    patient = enrol("post-surgical-calcific-iat", start=start)
    hourly = [time(h, 5) for h in range(24)]
    live(range(50, 58), runs=hourly, start=start)
    sent = {
        r.slot: r.sent_at.astimezone(ZoneInfo(TZ))
        for r in Reminder.objects.filter(patient=patient, kind="phase_change", status="sent")
    }
    assert {slot: (at.date().isoformat(), at.strftime("%H:%M")) for slot, at in sent.items()} == {
        "change:2026-03-28": ("2026-03-27", "18:05"),  # 3.5 cm, on GMT
        "change:2026-03-30": ("2026-03-29", "18:05"),  # 3 cm, first evening on BST (17:05 UTC)
        "change:2026-04-01": ("2026-03-31", "18:05"),  # boot off on day 56
    }
    assert sent["change:2026-03-30"].utcoffset() == timedelta(hours=1)
    texts = [m.body for m in push.outbox if m.title == "Tomorrow your plan changes"]
    assert any("Tomorrow your heel lift goes to 3 cm." in t for t in texts)
    assert any("Boot off tomorrow (day 56)." in t for t in texts)
    delivered = Delivery.objects.filter(channel="push", status="delivered").values_list("delivered_at", flat=True)
    assert len(delivered) > 10
    for at in delivered:  # hourly sweeps, yet nothing lands in the 21:00-08:00 quiet hours
        wall = at.astimezone(ZoneInfo(TZ)).time()
        assert not in_quiet_hours(wall, patient.quiet_hours_start, patient.quiet_hours_end), at
