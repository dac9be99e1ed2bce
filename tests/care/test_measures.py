"""Section 4 of the clinical spec, on the pure functions."""

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from rehab.care.measures import (
    IMPROVED,
    NOT_IMPROVED,
    NOT_JUDGEABLE,
    PainMeasure,
    VisaA,
    judge_improvement,
    judge_recovery,
    pain_baseline,
    pain_measure,
    visa_a_baseline,
    visa_a_latest,
)

RULES = {
    "pain_improvement_points": 2,
    "pain_improvement_fraction": 0.30,
    "visa_a_improvement_points": 7,
    "recovered_visa_a_min": 90,
    "recovered_pain_max": 2,
}
D0 = date(2026, 1, 1)


def days(*pairs):
    return {D0 + timedelta(days=d): Fraction(v) for d, v in pairs}


def measure(value):
    return PainMeasure(Fraction(value), 7, D0, D0)


def test_pain_measure_is_the_mean_of_daily_means_and_needs_three_days():
    daily = days((0, 4), (1, 6), (2, 5))
    assert pain_measure(daily, D0, D0 + timedelta(days=6), min_days=3).value == 5
    assert pain_measure(days((0, 4), (1, 6)), D0, D0 + timedelta(days=6), min_days=3) is None


def test_baseline_falls_back_to_the_first_three_days_with_entries_in_the_next_seven():
    daily = days((1, 9), (8, 6), (10, 5), (12, 4), (13, 1))
    baseline = pain_baseline(daily, D0, D0 + timedelta(days=6), min_days=3, fallback_days=7)
    assert baseline.value == 5 and baseline.first == D0 + timedelta(days=8) and baseline.last == D0 + timedelta(days=12)


def test_baseline_is_missing_when_even_the_fallback_has_too_few_days():
    daily = days((1, 9), (8, 6), (15, 5))
    assert pain_baseline(daily, D0, D0 + timedelta(days=6), min_days=3, fallback_days=7) is None


def test_visa_a_baseline_is_the_first_in_the_window_or_the_week_after():
    responses = [
        VisaA(D0 + timedelta(days=20), 70),
        VisaA(D0 + timedelta(days=9), 50),
        VisaA(D0 + timedelta(days=12), 60),
    ]
    assert visa_a_baseline(responses, D0, D0 + timedelta(days=6), fallback_days=7).score == 50


def test_the_latest_visa_a_of_a_day_is_the_last_one_completed_that_day():
    # Responses come in the order they were completed; two on one day are told apart by that order.
    responses = [
        VisaA(D0 + timedelta(days=3), 50),
        VisaA(D0 + timedelta(days=5), 55),
        VisaA(D0 + timedelta(days=5), 62),
    ]
    assert visa_a_latest(responses, D0, D0 + timedelta(days=6)).score == 62
    assert visa_a_latest(list(reversed(responses))[1:], D0, D0 + timedelta(days=6)).score == 55


def test_pain_must_fall_by_two_points_and_thirty_percent():
    two_of_eight = judge_improvement(
        rules=RULES, baseline_pain=measure(8), current_pain=measure(6), baseline_visa_a=None, current_visa_a=None
    )
    assert two_of_eight.outcome == NOT_IMPROVED  # 2 points is only 25% of 8
    one_of_three = judge_improvement(
        rules=RULES, baseline_pain=measure(3), current_pain=measure(2), baseline_visa_a=None, current_visa_a=None
    )
    assert one_of_three.outcome == NOT_IMPROVED  # 33% but only 1 point
    exact = judge_improvement(
        rules=RULES,
        baseline_pain=measure(Fraction(20, 3)),
        current_pain=measure(Fraction(14, 3)),
        baseline_visa_a=None,
        current_visa_a=None,
    )
    assert exact.outcome == IMPROVED  # exactly 2 points and exactly 30%


def test_visa_a_rise_of_seven_counts_as_improved_even_when_pain_did_not_fall():
    judgement = judge_improvement(
        rules=RULES,
        baseline_pain=measure(5),
        current_pain=measure(5),
        baseline_visa_a=VisaA(D0, 50),
        current_visa_a=VisaA(D0, 57),
    )
    assert judgement.outcome == IMPROVED
    assert judgement.evidence["visa_a_improved"] is True and judgement.evidence["pain_improved"] is False


def test_no_measure_with_both_values_is_not_judgeable_never_improved():
    judgement = judge_improvement(
        rules=RULES, baseline_pain=None, current_pain=measure(1), baseline_visa_a=VisaA(D0, 50), current_visa_a=None
    )
    assert judgement.outcome == NOT_JUDGEABLE


def test_recovered_at_six_months_by_visa_a_or_by_pain():
    assert judge_recovery(rules=RULES, current_pain=measure(4), current_visa_a=VisaA(D0, 90)).outcome == IMPROVED
    assert judge_recovery(rules=RULES, current_pain=measure(2), current_visa_a=None).outcome == IMPROVED
    assert judge_recovery(rules=RULES, current_pain=measure(3), current_visa_a=VisaA(D0, 89)).outcome == NOT_IMPROVED
    assert judge_recovery(rules=RULES, current_pain=None, current_visa_a=None).outcome == NOT_JUDGEABLE


@given(baseline=st.fractions(0, 10), current=st.fractions(0, 10))
def test_pain_improvement_is_exactly_the_clinical_rule(baseline, current):
    outcome = judge_improvement(
        rules=RULES,
        baseline_pain=measure(baseline),
        current_pain=measure(current),
        baseline_visa_a=None,
        current_visa_a=None,
    ).outcome
    expected = baseline - current >= 2 and baseline - current >= baseline * Fraction(3, 10)
    assert outcome == (IMPROVED if expected else NOT_IMPROVED)
