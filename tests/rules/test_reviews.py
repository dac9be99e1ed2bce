"""The milestone sweep and a physio's outcomes (clinical spec, sections 1, 2 and 4)."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import clock
from rehab.alerts.models import Alert, AlertEvent
from rehab.care.models import Milestone
from rehab.rules.services.engagement import no_recent_logs_raise
from rehab.rules.services.review_sweep import milestones_judge_due, milestones_open_due
from rehab.rules.services.reviews import MilestoneConflict, OutcomeNoteRequired, milestone_outcome_record
from tests.factories import PhysioFactory, enrolled_patient
from tests.support import logs

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)
TZ = "Europe/London"
# Local midnight after day 56, plus the 24 h grace period.
REVIEW_DUE = clock.local_instant(START + timedelta(days=58), time(0, 0), TZ)


def at_day(day: int, start: date = START, hour: int = 10) -> datetime:
    return clock.local_instant(start + timedelta(days=day), time(hour, 0), TZ)


def pain_days(patient, days, score, start: date = START):
    for day in days:
        logs.pain(patient, score, at_day(day, start), check=False)


def patient_with_pain(baseline: int, review: int, **fields):
    with time_machine.travel(at_day(0), tick=False):
        patient = enrolled_patient(start=START, **fields)
    pain_days(patient, range(0, 7), baseline)
    pain_days(patient, range(50, 57), review)
    return patient


def review(patient, code="review-6-8-weeks") -> Milestone:
    return Milestone.objects.get(enrollment__patient=patient, code=code)


def sweep(now: datetime) -> dict:
    with time_machine.travel(now, tick=False):
        return milestones_judge_due(now=now)


def test_an_improving_patient_is_met_with_its_evidence_and_raises_no_alert():
    patient = patient_with_pain(baseline=6, review=3)
    sweep(REVIEW_DUE)
    m = review(patient)
    assert m.status == "met" and m.decided_by is None and m.decided_at == REVIEW_DUE
    assert m.evidence["baseline_pain"]["value"] == 6.0 and m.evidence["current_pain"]["value"] == 3.0
    assert not Alert.objects.filter(patient=patient).exists()


def test_a_patient_not_improving_gets_exactly_one_referral_and_a_second_sweep_changes_nothing():
    patient = patient_with_pain(baseline=6, review=5)
    sweep(REVIEW_DUE)
    sweep(REVIEW_DUE + timedelta(days=1))
    [alert] = Alert.objects.filter(patient=patient)
    assert (alert.code, alert.kind, alert.milestone.code) == ("review_not_improved", "referral", "review-6-8-weeks")
    assert "orthopaedic specialist" in alert.reason
    assert alert.evidence["baseline_pain"]["value"] == 6.0 and alert.evidence["current_pain"]["days"] == 7
    assert AlertEvent.objects.filter(alert=alert).count() == 1
    assert review(patient).status == "not_met" and review(patient).decided_at == REVIEW_DUE


def test_a_visa_a_rise_of_seven_counts_as_improved_even_when_pain_stays():
    patient = patient_with_pain(baseline=6, review=6)
    logs.visa_a(patient, 50, at_day(3))
    logs.visa_a(patient, 57, at_day(55))
    sweep(REVIEW_DUE)
    assert review(patient).status == "met" and review(patient).evidence["visa_a_improved"] is True


def test_a_review_without_enough_data_is_not_judgeable_and_raises_an_engagement_alert_not_a_referral():
    with time_machine.travel(at_day(0), tick=False):
        patient = enrolled_patient(start=START)
    pain_days(patient, range(0, 7), 6)
    pain_days(patient, [54, 56], 2)  # two days are too few for a pain measure
    sweep(REVIEW_DUE)
    assert review(patient).status == "not_judgeable"
    [alert] = Alert.objects.filter(patient=patient)
    assert (alert.code, alert.kind) == ("review_not_judgeable", "engagement")


def test_the_grace_period_holds_the_review_until_a_day_after_the_window_ends():
    patient = patient_with_pain(baseline=6, review=5)
    sweep(REVIEW_DUE - timedelta(seconds=1))
    assert review(patient).status == "pending"
    # An offline phone's entries from the last day arrive within the grace period and count.
    pain_days(patient, range(50, 57), 0)
    sweep(REVIEW_DUE)
    assert review(patient).status == "met"


def test_an_outcome_never_changes_by_itself_once_decided():
    patient = patient_with_pain(baseline=6, review=3)
    sweep(REVIEW_DUE)
    pain_days(patient, range(50, 57), 10)
    sweep(REVIEW_DUE + timedelta(days=3))
    assert review(patient).status == "met"
    assert not Alert.objects.filter(patient=patient).exists()


def test_a_physio_overrides_a_decided_review_only_with_a_note_and_not_met_raises_the_referral_once():
    patient = patient_with_pain(baseline=6, review=3)
    physio = PhysioFactory(clinic=patient.clinic)
    sweep(REVIEW_DUE)
    with time_machine.travel(REVIEW_DUE + timedelta(hours=2), tick=False):
        with pytest.raises(OutcomeNoteRequired):
            milestone_outcome_record(milestone=review(patient), outcome="not_met", note=" ", by=physio)
        m = milestone_outcome_record(milestone=review(patient), outcome="not_met", note="Still limping", by=physio)
        milestone_outcome_record(milestone=m, outcome="not_met", note="Confirmed at the clinic", by=physio)
    m.refresh_from_db()
    assert (m.status, m.decided_by, m.note) == ("not_met", physio, "Confirmed at the clinic")
    [alert] = Alert.objects.filter(patient=patient)
    assert alert.code == "review_not_improved" and "Still limping" not in str(alert.evidence)


def test_a_physio_decides_an_open_review_in_its_window_and_the_sweep_leaves_it_alone():
    patient = patient_with_pain(baseline=6, review=6)
    physio = PhysioFactory(clinic=patient.clinic)
    with time_machine.travel(at_day(43), tick=False):
        milestone_outcome_record(milestone=review(patient), outcome="bridge", note="", by=physio)
    sweep(REVIEW_DUE)
    assert review(patient).status == "bridge"
    assert not Alert.objects.filter(patient=patient).exists()


def test_outcomes_are_refused_for_a_milestone_that_is_not_a_review_or_not_yet_open():
    patient = patient_with_pain(baseline=6, review=6)
    physio = PhysioFactory(clinic=patient.clinic)
    with time_machine.travel(at_day(41), tick=False):
        with pytest.raises(MilestoneConflict):
            milestone_outcome_record(milestone=review(patient), outcome="met", by=physio)
        with pytest.raises(MilestoneConflict):
            milestone_outcome_record(milestone=review(patient, "check-3-months"), outcome="met", by=physio)


def test_reviews_open_on_the_first_local_day_of_their_window():
    patient = patient_with_pain(baseline=6, review=6)
    milestones_open_due(now=at_day(41, hour=23))
    assert review(patient).status == "pending"
    milestones_open_due(now=at_day(42, hour=0))
    assert review(patient).status == "open"
    assert review(patient, "check-6-months").status == "pending"


def test_baselines_checks_and_transitions_become_done_at_their_due_time_without_judgement():
    patient = patient_with_pain(baseline=6, review=3)
    sweep(at_day(7, hour=0))
    assert review(patient, "baseline").status == "done"
    assert review(patient, "review-6-8-weeks").status == "pending"


def test_the_six_month_check_refers_a_patient_who_has_not_recovered():
    patient = patient_with_pain(baseline=6, review=3)
    pain_days(patient, range(188, 195), 4)
    logs.visa_a(patient, 80, at_day(190))
    sweep(clock.local_instant(START + timedelta(days=196), time(0, 0), TZ))
    m = review(patient, "check-6-months")
    assert m.status == "not_met" and m.evidence["visa_a_recovered"] is False
    [alert] = Alert.objects.filter(patient=patient, milestone=m)
    assert (alert.code, alert.kind) == ("not_recovered_6_months", "referral")


def test_the_twelve_week_review_after_surgery_is_judged_against_the_post_boot_baseline():
    with time_machine.travel(at_day(0), tick=False):
        patient = enrolled_patient("post-surgical-calcific-iat", start=START)
    pain_days(patient, range(0, 7), 9)  # before the boot comes off: not the baseline
    pain_days(patient, range(56, 63), 4)
    pain_days(patient, range(85, 92), 3)
    sweep(clock.local_instant(START + timedelta(days=93), time(0, 0), TZ))
    m = review(patient, "review-12-weeks")
    assert m.status == "not_met" and m.evidence["baseline_pain"]["value"] == 4.0
    [alert] = Alert.objects.filter(patient=patient, milestone=m)
    assert "surgeon" in alert.reason


def test_a_discharged_patients_milestones_are_cancelled_not_judged():
    patient = patient_with_pain(baseline=6, review=6)
    patient.status = "discharged"
    patient.save()
    sweep(REVIEW_DUE)
    assert review(patient).status == "cancelled"
    assert not Alert.objects.filter(patient=patient).exists()


def test_a_row_that_fails_to_evaluate_is_pushed_forward_and_does_not_stall_the_others():
    broken = patient_with_pain(baseline=6, review=5)
    Milestone.objects.filter(enrollment__patient=broken, code="review-6-8-weeks").update(code="no-such-milestone")
    healthy = patient_with_pain(baseline=6, review=5)
    counts = sweep(REVIEW_DUE)
    assert counts["failed"] == 1 and counts["not_met"] == 1
    bad = Milestone.objects.get(enrollment__patient=broken, code="no-such-milestone")
    assert bad.status == "pending" and bad.due_at > REVIEW_DUE
    assert review(healthy).status == "not_met"


def test_the_sweep_costs_the_same_queries_for_ten_reviews_as_for_two():
    def queries_for(n):
        for _ in range(n):
            patient_with_pain(baseline=6, review=3)
        with CaptureQueriesContext(connection) as ctx:
            sweep(REVIEW_DUE)
        Milestone.objects.all().delete()
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(10)


def test_a_silent_active_patient_gets_one_no_recent_logs_alert_per_silence():
    with time_machine.travel(at_day(0), tick=False):
        patient = enrolled_patient(start=START)
        chatty = enrolled_patient(start=START)
    with time_machine.travel(at_day(2), tick=False):
        logs.pain(patient, 4, at_day(2))
    with time_machine.travel(at_day(8), tick=False):
        logs.pain(chatty, 4, at_day(8))
    assert no_recent_logs_raise(now=at_day(8, hour=12)) == 0  # six days and two hours
    assert no_recent_logs_raise(now=at_day(9, hour=11)) == 1
    assert no_recent_logs_raise(now=at_day(12)) == 0
    [alert] = Alert.objects.filter(code="no_recent_logs")
    assert alert.patient == patient and alert.kind == "engagement"
    assert alert.evidence["last_log_at"] == at_day(2).isoformat()


def test_a_review_reads_the_last_visa_a_completed_on_the_windows_last_day_not_the_first():
    patient = patient_with_pain(baseline=6, review=6)
    logs.visa_a(patient, 50, at_day(3))
    logs.visa_a(patient, 50, at_day(56, hour=8))
    logs.visa_a(patient, 58, at_day(56, hour=20))  # redone the same evening: this is the latest
    sweep(REVIEW_DUE)
    assert review(patient).status == "met" and review(patient).evidence["visa_a_current"]["score"] == 58


@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Pacific/Auckland"])
def test_a_patient_who_never_logged_is_silent_after_seven_local_days_of_enrolment(tz):
    def local(day: int, hour: int) -> datetime:
        return clock.local_instant(START + timedelta(days=day), time(hour, 0), tz)

    with time_machine.travel(local(0, 9), tick=False):
        enrolled_patient(start=START, timezone=tz)
    assert no_recent_logs_raise(now=local(6, 23)) == 0  # six days and 23 hours since local day 0 began
    assert no_recent_logs_raise(now=local(7, 1)) == 1


def test_a_second_silence_while_the_first_alert_is_still_open_refreshes_it_and_counts_no_new_alert():
    with time_machine.travel(at_day(0), tick=False):
        patient = enrolled_patient(start=START)
    with time_machine.travel(at_day(9), tick=False):
        assert no_recent_logs_raise(now=at_day(9)) == 1
    with time_machine.travel(at_day(10), tick=False):
        logs.pain(patient, 4, at_day(10))  # logs again; nobody has looked at the alert yet
    with time_machine.travel(at_day(18), tick=False):
        assert no_recent_logs_raise(now=at_day(18)) == 0  # silent again: the open alert is refreshed
    [alert] = Alert.objects.filter(patient=patient, code="no_recent_logs")
    assert alert.status == Alert.Status.OPEN and alert.evidence["last_log_at"].startswith(at_day(10).date().isoformat())
