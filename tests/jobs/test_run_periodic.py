"""`manage.py run_periodic [--now ISO]`."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rehab.alerts.models import Alert
from rehab.care.models import Milestone
from tests.factories import enrolled_patient
from tests.rules.test_reviews import REVIEW_DUE, patient_with_pain

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command("run_periodic", *args, stdout=out)
    return json.loads(out.getvalue())


def test_run_periodic_as_of_a_given_instant_judges_the_due_review_and_prints_what_each_job_did():
    patient = patient_with_pain(baseline=6, review=6)
    report = run("--now", REVIEW_DUE.isoformat().replace("+00:00", "Z"))
    assert report["now"] == REVIEW_DUE.isoformat()
    assert report["judge_due_milestones"]["not_met"] == 1
    assert set(report) >= {"plan_reminders", "send_reminders_due", "deliver_pending", "escalate_overdue_alerts"}
    assert Milestone.objects.get(enrollment__patient=patient, code="review-6-8-weeks").status == "not_met"
    assert Alert.objects.filter(patient=patient, code="review_not_improved").count() == 1
    assert run("--now", REVIEW_DUE.isoformat())["judge_due_milestones"] == {"failed": 0}  # nothing twice


def test_run_periodic_without_now_runs_as_of_the_clock():
    enrolled_patient(start=date.today())
    assert "now" in run()


def test_run_periodic_refuses_an_instant_without_an_offset():
    with pytest.raises(CommandError, match="offset"):
        run("--now", "2026-03-01T09:00:00")
