"""The engagement and review sweeps go on past a row that fails, and put only that row off.

Real transactions: a failed batch is rolled back for real, and what survives it is what was committed.
"""

import math
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine

from patients.models import Patient
from rehab.alerts.models import Alert
from rehab.alerts.services import alerts
from rehab.care.models import Enrollment, Milestone
from rehab.rules.services import engagement, review_sweep
from rehab.rules.services.engagement import no_recent_logs_raise
from rehab.rules.services.review_sweep import milestones_judge_due
from tests.rules.test_engagement import at_day, enrolled
from tests.rules.test_reviews import REVIEW_DUE, patient_with_pain, review

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(alerts, "delivery_kick", lambda: None)


def planted(monkeypatch, module, name: str, breaks) -> tuple[set, list]:
    """Wrap module.name so that `breaks(broken_ids, *args)` may spoil a call; returns (broken ids, ids tried)."""
    ids, tried, real = set(), [], getattr(module, name)

    def wrapper(*args, **kwargs):
        return breaks(ids, tried, real, *args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return ids, tried


# --- engagement -------------------------------------------------------------------------------------------------


def _alert_raise_breaking(ids, tried, real, *, patient, **kwargs):
    tried.append(patient.pk)
    if patient.pk in ids:
        raise ValueError(f"planted: patient {patient.pk} cannot be alerted")
    return real(patient=patient, **kwargs)


def test_a_patient_who_cannot_be_alerted_is_put_off_and_the_rest_of_the_batch_is_alerted(monkeypatch, caplog):
    monkeypatch.setattr(engagement, "BATCH_SIZE", 2)
    patients = [enrolled() for _ in range(3)]  # nobody logs: all silent by day 8
    bad = patients[0]  # in the first batch of two
    ids, tried = planted(monkeypatch, engagement, "alert_raise", _alert_raise_breaking)
    ids.add(bad.pk)
    now = at_day(8)

    assert no_recent_logs_raise(now=now) == 2
    assert "an engagement batch failed" in caplog.text  # rolled back and redone patient by patient
    alerted = set(Alert.objects.filter(code="no_recent_logs").values_list("patient_id", flat=True))
    assert alerted == {p.pk for p in patients[1:]}
    put_off = Enrollment.objects.get(patient=bad)
    assert put_off.engagement_check_after == now + engagement.RETRY_AFTER  # outlived the batch's rollback

    # The next sweep, six hours on, does not try the patient again before their time.
    tried.clear()
    assert no_recent_logs_raise(now=now + timedelta(hours=6)) == 0
    assert tried == []

    ids.clear()  # mended meanwhile
    assert no_recent_logs_raise(now=now + engagement.RETRY_AFTER) == 1
    assert tried == [bad.pk] and Alert.objects.filter(patient=bad, code="no_recent_logs").count() == 1


def test_a_patient_whose_time_zone_is_unknown_is_put_off_and_the_others_are_alerted():
    broken, healthy = enrolled(), enrolled()
    Patient.objects.filter(pk=broken.pk).update(timezone="Atlantis/Poseidonis")  # corrupt data

    assert no_recent_logs_raise(now=at_day(8)) == 1
    assert Alert.objects.get(code="no_recent_logs").patient_id == healthy.pk
    put_off = Enrollment.objects.get(patient=broken)
    assert put_off.engagement_check_after == at_day(8) + engagement.RETRY_AFTER
    assert no_recent_logs_raise(now=at_day(8, hour=16)) == 0  # not looked at (nor logged) before its time


# --- reviews ----------------------------------------------------------------------------------------------------


def _judge_breaking(ids, tried, real, w, daily, visa):
    tried.append(w.milestone.pk)
    judgement = real(w, daily, visa)
    if w.milestone.pk in ids:
        # NaN is not JSON: the database refuses the batch's one UPDATE of outcomes, so the whole batch fails.
        return replace(judgement, evidence={**judgement.evidence, "planted": math.nan})
    return judgement


def test_a_review_whose_outcome_cannot_be_stored_is_put_off_and_the_rest_of_the_batch_is_decided(monkeypatch, caplog):
    first, last = (patient_with_pain(baseline=6, review=5) for _ in range(2))  # not improved: a referral each
    improving = patient_with_pain(baseline=6, review=3)  # met: no alert, its evidence goes to the batch's UPDATE
    bad = review(improving)
    ids, tried = planted(monkeypatch, review_sweep, "_judge", _judge_breaking)
    ids.add(bad.pk)

    with time_machine.travel(REVIEW_DUE, tick=False):
        counts = milestones_judge_due(now=REVIEW_DUE)

    assert "a milestone batch failed" in caplog.text  # the batch was rolled back and redone row by row
    assert counts["failed"] == 1 and counts["not_met"] == 2 and "met" not in counts
    assert [review(p).status for p in (first, improving, last)] == ["not_met", "pending", "not_met"]
    bad.refresh_from_db()
    assert bad.due_at == REVIEW_DUE + review_sweep.RETRY_AFTER  # outlived the batch's rollback
    referred = Alert.objects.filter(code="review_not_improved").values_list("patient_id", flat=True)
    assert sorted(referred) == sorted([first.pk, last.pk])  # once each, though the batch was redone

    # The next hourly sweep does not judge it again before its time.
    tried.clear()
    later = REVIEW_DUE + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        assert milestones_judge_due(now=later) == {"failed": 0}
    assert tried == []

    ids.clear()  # mended meanwhile
    retry = REVIEW_DUE + review_sweep.RETRY_AFTER
    with time_machine.travel(retry, tick=False):
        assert milestones_judge_due(now=retry) == {"met": 1, "failed": 0}
    assert tried == [bad.pk] and review(improving).status == "met"


def test_a_row_put_off_inside_a_batch_that_then_fails_stays_put_off(monkeypatch, caplog):
    unknown, healthy = (patient_with_pain(baseline=6, review=5) for _ in range(2))
    unstorable = patient_with_pain(baseline=6, review=3)
    Milestone.objects.filter(pk=review(unknown).pk).update(code="no-such-milestone")  # fails to evaluate
    ids, _ = planted(monkeypatch, review_sweep, "_judge", _judge_breaking)
    ids.add(review(unstorable).pk)  # and fails the batch
    put_off = [Milestone.objects.get(enrollment__patient=unknown, code="no-such-milestone").pk, review(unstorable).pk]

    with time_machine.travel(REVIEW_DUE, tick=False):
        counts = milestones_judge_due(now=REVIEW_DUE)

    assert "a milestone batch failed" in caplog.text
    assert counts["failed"] == 2 and counts["not_met"] == 1 and review(healthy).status == "not_met"
    rows = Milestone.objects.filter(pk__in=put_off)
    assert set(rows.values_list("status", "due_at")) == {("pending", REVIEW_DUE + review_sweep.RETRY_AFTER)}
