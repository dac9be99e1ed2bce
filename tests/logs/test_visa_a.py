"""VISA-A scoring (clinical spec section 4): every allowed value scores, every other value is refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehab.logs.visa_a import Q7_SCORES, Q8_SCORES, VisaAInvalid, visa_a_score


def answers(**changes) -> dict:
    base = {"q1": 5, "q2": 5, "q3": 5, "q4": 5, "q5": 5, "q6": 5, "q7": 4, "q8_branch": "B", "q8": 10}
    base.update(changes)
    return base


def refused(**changes) -> dict[str, list[str]]:
    with pytest.raises(VisaAInvalid) as excinfo:
        visa_a_score(answers(**changes))
    return excinfo.value.errors


def test_the_total_is_the_sum_of_the_items():
    assert visa_a_score(answers()) == 30 + 4 + 10


def test_a_perfect_questionnaire_scores_100():
    assert visa_a_score(answers(q1=10, q2=10, q3=10, q4=10, q5=10, q6=10, q7=10, q8_branch="A", q8=30)) == 100


def test_the_lowest_answers_score_0():
    assert visa_a_score(answers(q1=0, q2=0, q3=0, q4=0, q5=0, q6=0, q7=0, q8_branch="C", q8=0)) == 0


def test_a_patient_with_pain_while_loading_cannot_score_above_90():
    best_with_pain = max(max(Q8_SCORES["B"]), max(Q8_SCORES["C"]))
    assert (
        visa_a_score(answers(q1=10, q2=10, q3=10, q4=10, q5=10, q6=10, q7=10, q8_branch="B", q8=best_with_pain)) == 90
    )


@pytest.mark.parametrize("item", ["q1", "q2", "q3", "q4", "q5", "q6"])
@pytest.mark.parametrize("value", [-1, 11, 100])
def test_pain_and_function_items_outside_0_to_10_are_refused(item, value):
    assert item in refused(**{item: value})


@pytest.mark.parametrize("item", ["q1", "q6"])
@pytest.mark.parametrize("value", [5.0, 5.5, "5", None, True])
def test_items_that_are_not_whole_numbers_are_refused(item, value):
    assert item in refused(**{item: value})


def test_a_missing_item_is_refused():
    incomplete = answers()
    del incomplete["q3"]
    with pytest.raises(VisaAInvalid) as excinfo:
        visa_a_score(incomplete)
    assert "q3" in excinfo.value.errors


@pytest.mark.parametrize("q7", [q for q in range(-1, 12) if q not in (0, 4, 7, 10)])
def test_q7_takes_only_0_4_7_or_10(q7):
    errors = refused(q7=q7)
    assert list(errors) == ["q7"]


def test_q7_5_is_refused():
    assert "q7" in refused(q7=5)


@pytest.mark.parametrize("q7", Q7_SCORES)
def test_every_allowed_q7_scores(q7):
    assert visa_a_score(answers(q7=q7)) == 30 + q7 + 10


ALLOWED_Q8 = [(branch, score) for branch, scores in Q8_SCORES.items() for score in scores]
REFUSED_Q8 = [(branch, score) for branch, scores in Q8_SCORES.items() for score in range(-1, 32) if score not in scores]


@pytest.mark.parametrize(("branch", "q8"), ALLOWED_Q8)
def test_every_allowed_q8_answer_of_each_branch_scores(branch, q8):
    assert visa_a_score(answers(q8_branch=branch, q8=q8)) == 30 + 4 + q8


@pytest.mark.parametrize(("branch", "q8"), REFUSED_Q8)
def test_q8_values_the_branch_does_not_offer_are_refused(branch, q8):
    assert list(refused(q8_branch=branch, q8=q8)) == ["q8"]


def test_q8_branch_b_30_is_refused():
    errors = refused(q8_branch="B", q8=30)
    assert errors == {"q8": ["Branch B allows 0, 4, 10, 14, 20."]}


@pytest.mark.parametrize("branch", ["AB", "A,B", ["A", "B"], "D", "", None, "a"])
def test_q8_needs_exactly_one_branch(branch):
    assert "q8_branch" in refused(q8_branch=branch)


def test_every_refused_item_is_named_at_once():
    errors = refused(q1=11, q7=5, q8_branch="B", q8=30)
    assert set(errors) == {"q1", "q7", "q8"}


items = st.integers(min_value=0, max_value=10)


@given(
    st.lists(items, min_size=6, max_size=6),
    st.sampled_from(Q7_SCORES),
    st.sampled_from(ALLOWED_Q8),
)
def test_any_valid_questionnaire_scores_between_0_and_100(pain_function, q7, q8):
    branch, q8_score = q8
    given_answers = {f"q{i + 1}": v for i, v in enumerate(pain_function)} | {
        "q7": q7,
        "q8_branch": branch,
        "q8": q8_score,
    }
    score = visa_a_score(given_answers)
    assert 0 <= score <= 100
    assert score == sum(pain_function) + q7 + q8_score
