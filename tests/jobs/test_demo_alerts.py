"""seed_demo leaves the dashboard work: real alerts, raised by the services, once however often it runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from patients.models import User
from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_resolve
from rehab.care.models import Milestone
from rehab.jobs.demo import demo_seed
from rehab.logs.models import SymptomReport

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
PASSWORD = "a-demo-password"


def seed(at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        return demo_seed(password=PASSWORD)


def test_the_not_improving_patients_review_is_judged_and_referred():
    seed()
    alert = Alert.objects.get(patient__user__username="demo-patient-2")
    assert (alert.code, alert.kind, alert.severity, alert.status) == (
        "review_not_improved",
        "referral",
        "routine",
        "open",
    )
    review = alert.milestone
    assert (review.code, review.status) == ("review-6-8-weeks", Milestone.Status.NOT_MET)
    # Judged by the review sweep on the run's clock, not recorded by a physio: its evidence is the judgement's.
    assert review.decided_by is None
    assert review.decided_at == NOW
    assert review.due_at <= NOW  # the window closed and its grace for offline phones is over
    assert "Refer to a podiatric foot and ankle surgeon" in alert.reason
    evidence = alert.evidence
    assert (evidence["outcome"], evidence["pain_improved"], evidence["visa_a_improved"]) == ("not_met", False, False)
    assert evidence["baseline_pain"]["value"] - evidence["current_pain"]["value"] < 2
    assert (evidence["visa_a_baseline"]["score"], evidence["visa_a_current"]["score"]) == (44, 47)
    assert evidence["judged_at"] == NOW.isoformat()


def test_a_post_surgical_patient_has_an_urgent_red_flag_raised_by_the_safety_rules():
    seed()
    alert = Alert.objects.get(patient__user__username="demo-patient-3")
    assert (alert.code, alert.kind, alert.severity, alert.status) == ("red_flag_same_day", "red_flag", "urgent", "open")
    assert alert.evidence["symptoms"] == ["calf_pain", "calf_swelling"]
    assert alert.evidence["care"] == "post_surgical"
    # Stored through intake: the report carries the tier and the advice the phone would have shown.
    report = SymptomReport.objects.get(pk=alert.evidence["symptom_report"])
    assert (report.tier, report.advice) == ("same_day", "Contact your surgical team today.")
    assert alert.created_at == NOW
    assert alert.escalate_at > NOW  # the urgent clock runs from the protocol's delay


def test_the_alerts_are_raised_once_however_often_the_demo_runs():
    first = seed()
    assert first.created["reviews judged"] == 1
    assert first.created["red flags reported"] == 1
    alerts = set(Alert.objects.values_list("id", "code", "status"))
    assert {code for _, code, _ in alerts} == {"review_not_improved", "red_flag_same_day"}
    again = seed(NOW + timedelta(hours=1))
    assert "reviews judged" not in again.created and "red flags reported" not in again.created
    assert set(Alert.objects.values_list("id", "code", "status")) == alerts


def test_an_alert_the_physio_resolved_stays_resolved_on_the_next_run():
    seed()
    physio = User.objects.get(username="demo-physio")
    urgent = Alert.objects.get(code="red_flag_same_day")
    alert_resolve(alert=urgent, by=physio, note="Seen in clinic")
    seed(NOW + timedelta(days=1))
    assert Alert.objects.filter(code="red_flag_same_day").count() == 1
    urgent.refresh_from_db()
    assert urgent.status == Alert.Status.RESOLVED
