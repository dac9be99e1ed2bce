"""Reminders as rows: planned in the patient's local time, outside quiet hours, sent once."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import clock
from patients.models import Device
from rehab.alerts.channels import push
from rehab.alerts.models import Delivery
from rehab.reminders.models import Reminder
from rehab.reminders.services import reminders_plan, reminders_send_due
from tests.factories import enrolled_patient
from tests.support import logs

pytestmark = pytest.mark.django_db

TZ = "Europe/London"


@pytest.fixture(autouse=True)
def empty_push_outbox():
    push.outbox.clear()
    push.unregistered_tokens.clear()
    yield
    push.outbox.clear()


def local(on: date, hh: int, mm: int = 0, tz: str = TZ) -> datetime:
    return clock.local_instant(on, time(hh, mm), tz)


def plan_at(instant: datetime) -> dict:
    with time_machine.travel(instant, tick=False):
        return reminders_plan(now=instant)


def send_at(instant: datetime) -> dict:
    with time_machine.travel(instant, tick=False):
        return reminders_send_due(now=instant)


def slots(patient, kind=None) -> dict[str, datetime]:
    rows = Reminder.objects.filter(patient=patient)
    if kind:
        rows = rows.filter(kind=kind)
    return dict(rows.values_list("slot", "due_at"))


def patient_on(start: date, protocol="conservative-calcific-iat", **fields):
    with time_machine.travel(local(start, 7), tick=False):
        patient = enrolled_patient(protocol, start=start, **fields)
    Device.objects.create(patient=patient, platform="ios", token=f"token-{patient.pk}")
    return patient


def test_exercise_reminders_are_planned_for_today_and_tomorrow_at_nine_local_and_only_once():
    patient = patient_on(date(2026, 5, 4))
    plan_at(local(date(2026, 5, 6), 7))
    plan_at(local(date(2026, 5, 6), 8))
    assert slots(patient, "exercise") == {
        "2026-05-06": local(date(2026, 5, 6), 9),
        "2026-05-07": local(date(2026, 5, 7), 9),
    }


def test_reminders_follow_the_patients_own_zone():
    patient = patient_on(date(2026, 5, 4), timezone="Australia/Sydney")
    plan_at(datetime(2026, 5, 6, 12, 0, tzinfo=UTC))  # 22:00 in Sydney: tomorrow there is the 7th
    assert slots(patient, "exercise") == {"2026-05-07": local(date(2026, 5, 7), 9, tz="Australia/Sydney")}


def test_a_reminder_time_in_quiet_hours_moves_to_the_nearest_allowed_time_that_day():
    patient = patient_on(date(2026, 5, 4), quiet_hours_start=time(17, 0), quiet_hours_end=time(10, 30))
    plan_at(local(date(2026, 5, 6), 7))
    assert slots(patient, "exercise")["2026-05-07"] == local(date(2026, 5, 7), 10, 30)


def test_the_eve_of_a_change_reminder_moves_before_quiet_hours_not_into_the_next_day():
    start = date(2026, 5, 1)
    patient = patient_on(start, "post-surgical-calcific-iat", quiet_hours_start=time(17, 0))
    plan_at(local(start + timedelta(days=55), 8))  # boot off tomorrow (day 56)
    due = slots(patient, "phase_change")[f"change:{start + timedelta(days=56)}"]
    assert due == local(start + timedelta(days=55), 16, 45)


def test_heel_lift_boot_and_transition_reminders_come_the_day_before_with_the_plan_numbers():
    start = date(2026, 5, 1)
    patient = patient_on(start, "post-surgical-calcific-iat")
    plan_at(local(start + timedelta(days=55), 8))
    eve = Reminder.objects.get(patient=patient, kind="phase_change")
    assert eve.due_at == local(start + timedelta(days=55), 18)
    assert "Boot off tomorrow (day 56)." in eve.body and "heel lift goes to 2.5 cm" in eve.body
    assert set(slots(patient, "milestone")) == {"boot-removal:eve", "boot-removal:day"}
    plan_at(local(start + timedelta(days=53), 8))
    assert "Tomorrow your heel lift goes to 3 cm." in Reminder.objects.get(slot=f"change:{start + timedelta(54)}").body


def test_a_pain_nudge_goes_out_after_three_days_without_a_pain_score_and_not_before():
    start = date(2026, 5, 4)
    patient = patient_on(start)
    logs.pain(patient, 4, local(date(2026, 5, 6), 8), check=False)
    plan_at(local(date(2026, 5, 8), 8))
    assert slots(patient, "pain_nudge") == {}
    plan_at(local(date(2026, 5, 9), 8))
    assert slots(patient, "pain_nudge") == {"2026-05-09": local(date(2026, 5, 9), 18)}


def test_a_visa_a_reminder_opens_each_review_and_a_second_comes_before_it_closes_if_none_arrived():
    start = date(2026, 3, 2)
    patient = patient_on(start)
    plan_at(local(start + timedelta(days=42), 6))
    assert "review-6-8-weeks:open" in slots(patient, "questionnaire")
    plan_at(local(start + timedelta(days=55), 6))
    assert "review-6-8-weeks:closing" in slots(patient, "questionnaire")


def test_a_visa_a_already_answered_stops_the_closing_reminder():
    start = date(2026, 3, 2)
    patient = patient_on(start)
    logs.visa_a(patient, 60, local(start + timedelta(days=44), 12))
    plan_at(local(start + timedelta(days=55), 6))
    assert "review-6-8-weeks:closing" not in slots(patient, "questionnaire")


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Auckland", "America/Los_Angeles", "Pacific/Pago_Pago"])
def test_zones_a_day_ahead_of_or_behind_utc_get_their_questionnaire_and_transition_reminders(tz):
    start = date(2026, 3, 2)
    patient = patient_on(start, timezone=tz)
    plan_at(local(start + timedelta(days=42), 6, tz=tz))
    plan_at(local(start + timedelta(days=55), 6, tz=tz))
    assert {"review-6-8-weeks:open", "review-6-8-weeks:closing"} <= set(slots(patient, "questionnaire"))
    surgical = patient_on(start, "post-surgical-calcific-iat", timezone=tz)
    plan_at(local(start + timedelta(days=55), 8, tz=tz))
    assert set(slots(surgical, "milestone")) == {"boot-removal:eve", "boot-removal:day"}


def test_each_patient_gets_the_day_number_of_their_own_start_on_the_same_protocol():
    early, late = patient_on(date(2026, 5, 1)), patient_on(date(2026, 5, 4))
    plan_at(local(date(2026, 5, 6), 7))
    bodies = dict(Reminder.objects.filter(kind="exercise", slot="2026-05-06").values_list("patient_id", "body"))
    assert bodies[early.pk].startswith("Day 5: ") and bodies[late.pk].startswith("Day 2: ")
    tomorrow = dict(Reminder.objects.filter(kind="exercise", slot="2026-05-07").values_list("patient_id", "body"))
    assert tomorrow[early.pk].startswith("Day 6: ") and tomorrow[late.pk].startswith("Day 3: ")


def test_the_planner_reads_with_the_same_queries_for_twelve_patients_on_three_protocols_as_for_three():
    def queries_for(per_protocol: int) -> int:
        for code in ("conservative-calcific-iat", "conservative-achilles-ho", "post-surgical-calcific-iat"):
            for _ in range(per_protocol):
                patient_on(date(2026, 5, 4), code)
        with CaptureQueriesContext(connection) as ctx:
            planned = plan_at(local(date(2026, 5, 6), 7))
        assert planned["considered"] >= 3 * per_protocol
        Reminder.objects.all().delete()
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(4)


def test_due_reminders_are_pushed_to_every_enabled_phone_once():
    patient = patient_on(date(2026, 5, 4))
    Device.objects.create(patient=patient, platform="android", token="second-phone")
    Device.objects.create(patient=patient, platform="web", token="old", disabled_at=local(date(2026, 5, 5), 1))
    plan_at(local(date(2026, 5, 6), 7))
    send_at(local(date(2026, 5, 6), 9, 1))
    send_at(local(date(2026, 5, 6), 9, 6))
    assert sorted(m.token for m in push.outbox) == ["second-phone", f"token-{patient.pk}"]
    assert Reminder.objects.get(slot="2026-05-06").status == "sent"
    assert Reminder.objects.get(slot="2026-05-07").status == "pending"


def test_an_unregistered_push_token_disables_the_device():
    patient = patient_on(date(2026, 5, 4))
    push.unregistered_tokens.add(f"token-{patient.pk}")
    plan_at(local(date(2026, 5, 6), 7))
    send_at(local(date(2026, 5, 6), 9, 1))
    device = Device.objects.get(patient=patient)
    assert device.disabled_at is not None and Delivery.objects.get().status == "failed"


def test_a_reminder_reached_in_quiet_hours_waits_for_their_end_and_a_stale_one_is_dropped():
    patient = patient_on(date(2026, 5, 4))
    Reminder.objects.create(
        patient=patient, kind="exercise", slot="late", due_at=local(date(2026, 5, 6), 20, 55), title="t", body="b",
        created_at=local(date(2026, 5, 6), 1),
    )  # fmt: skip
    Reminder.objects.create(
        patient=patient, kind="exercise", slot="early", due_at=local(date(2026, 5, 7), 7, 30), title="t", body="b",
        created_at=local(date(2026, 5, 6), 1),
    )  # fmt: skip
    send_at(local(date(2026, 5, 7), 7, 35))
    assert Reminder.objects.get(slot="late").status == "cancelled"  # eleven hours late by the end of quiet hours
    held = Reminder.objects.get(slot="early")
    assert held.status == "pending" and held.due_at == local(date(2026, 5, 7), 8)
    assert push.outbox == []


def test_reminders_held_in_one_sweep_go_out_at_the_end_of_their_own_zones_quiet_hours():
    london, new_york = patient_on(date(2026, 5, 4)), patient_on(date(2026, 5, 4), timezone="America/New_York")
    due = local(date(2026, 5, 7), 7, 30)  # 07:30 in London, 02:30 in New York
    for patient in (london, new_york):
        Reminder.objects.create(
            patient=patient, kind="exercise", slot="s", due_at=due, title="t", body="b", created_at=due
        )  # fmt: skip
    send_at(local(date(2026, 5, 7), 7, 35))
    assert Reminder.objects.get(patient=london).due_at == local(date(2026, 5, 7), 8)
    assert Reminder.objects.get(patient=new_york).due_at == clock.local_instant(
        date(2026, 5, 7), time(8), "America/New_York"
    )
    send_at(local(date(2026, 5, 7), 8, 1))
    assert dict(Reminder.objects.values_list("patient_id", "status")) == {london.pk: "sent", new_york.pk: "pending"}


def test_a_discharged_patient_gets_no_reminders_and_pending_ones_are_cancelled():
    patient = patient_on(date(2026, 5, 4))
    plan_at(local(date(2026, 5, 6), 7))
    patient.status = "discharged"
    patient.save()
    send_at(local(date(2026, 5, 6), 9, 5))
    plan_at(local(date(2026, 5, 6), 10))
    assert set(Reminder.objects.values_list("status", flat=True)) == {"cancelled"}
    assert push.outbox == []
