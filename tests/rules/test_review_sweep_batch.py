"""The sweep stores a batch's outcomes in one statement, each row with its own evidence."""

import pytest

from rehab.rules.services.review_sweep import milestones_judge_due
from tests.rules.test_reviews import REVIEW_DUE, patient_with_pain, review

pytestmark = pytest.mark.django_db


def test_each_decided_review_keeps_its_own_evidence():
    patients = [patient_with_pain(baseline=6, review=r) for r in (1, 2, 3)]
    milestones_judge_due(now=REVIEW_DUE)
    currents = [review(p).evidence["current_pain"]["value"] for p in patients]
    assert currents == [1.0, 2.0, 3.0]
    assert {review(p).status for p in patients} == {"met"}
    assert {review(p).decided_at for p in patients} == {REVIEW_DUE}
