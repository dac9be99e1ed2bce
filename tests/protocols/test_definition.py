"""Each shipped definition against the clinical spec's numbers and tables, and what a definition must name."""

import copy

import pytest

from protocols.definition import REVIEW_ALERTS, SYMPTOMS, DefinitionError, definition_from_dict
from protocols.library import definition_files, read_definition
from rehab.alerts.codes import CODES

SHIPPED = {path.name: read_definition(path) for path in definition_files()}

# Sections 1, 4 and 5a: every number a judgement or guardrail reads, as the definition gives it.
SPEC_RULES = {
    "review_grace_hours": 24,
    "pain_min_days": 3,
    "pain_improvement_points": 2,
    "pain_improvement_fraction": 0.30,
    "visa_a_improvement_points": 7,
    "recovered_visa_a_min": 90,
    "recovered_pain_max": 2,
    "review_lookback_days": 7,
    "baseline_fallback_days": 7,
    "nsaid_max_consecutive_days": 14,
    "nsaid_max_days_in_window": 21,
    "nsaid_window_days": 28,
    "exercise_pain_max": 5,
    "morning_pain_rise": 1,
    "morning_pain_window_days": 7,
    "pain_spike_points": 3,
    "pain_spike_min_context_entries": 3,
    "pain_spike_window_days": 7,
    "no_recent_logs_days": 7,
    "escalate_urgent_after_minutes": 240,
    "escalate_emergency_after_minutes": 15,
}

# Section 5, by care; symptoms not listed are `none`.
EMERGENCY = ("chest_pain", "short_of_breath", "coughing_blood", "fainting")
SURGICAL_SAME_DAY = (
    "calf_pain", "calf_swelling", "calf_redness", "calf_warmth",
    "wound_redness", "wound_discharge", "wound_smell", "wound_opening", "fever",
    "sudden_pop", "unable_to_push_off",
)  # fmt: skip
SPEC_TIERS = {
    "post_surgical": {
        **dict.fromkeys(EMERGENCY, "emergency"),
        **dict.fromkeys(SURGICAL_SAME_DAY, "same_day"),
        "numbness": "next_working_day",
        "pressure_sore": "next_working_day",
    },
    "conservative": {**dict.fromkeys(EMERGENCY, "emergency"), **dict.fromkeys(SURGICAL_SAME_DAY, "next_working_day")},
}
SPEC_ADVICE = {
    "emergency": "call emergency services now",
    "same_day": "contact your surgical team today",
    "next_working_day": "tell your physiotherapist",
    "none": "keep logging; mention it at your next session",
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_definition_carries_the_specs_numbers(name):
    definition = definition_from_dict(SHIPPED[name])
    assert {rule: definition.rule(rule) for rule in SPEC_RULES} == SPEC_RULES


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_definition_has_the_specs_red_flag_tiers_and_advice(name):
    definition = definition_from_dict(SHIPPED[name])
    expected = SPEC_TIERS[definition.care]
    assert {s: definition.red_flags.tier_of(s) for s in SYMPTOMS} == {s: expected.get(s, "none") for s in SYMPTOMS}
    assert {tier: text.lower().rstrip(".") for tier, text in definition.red_flags.advice.items()} == SPEC_ADVICE


def without_rule(rule: str) -> dict:
    data = copy.deepcopy(next(iter(SHIPPED.values())))
    del data["rules"][rule]
    return data


@pytest.mark.parametrize("rule", ["exercise_reminder_time", "transition_reminder_time", "visa_a_reminder_days_before"])
def test_a_definition_without_a_rule_the_reminders_read_is_refused_when_loaded(rule):
    with pytest.raises(DefinitionError, match=rule):
        definition_from_dict(without_rule(rule))


def test_a_milestone_window_that_ends_before_it_starts_is_refused():
    data = copy.deepcopy(next(iter(SHIPPED.values())))
    data["milestones"][0]["window"] = [6, 0]
    with pytest.raises(DefinitionError, match="window"):
        definition_from_dict(data)


def test_a_rule_named_after_the_first_versions_can_be_changed_by_a_new_version():
    data = copy.deepcopy(next(iter(SHIPPED.values())))
    data["rules"]["pain_spike_window_days"] = 5
    assert definition_from_dict(data).rule("pain_spike_window_days") == 5


def test_a_review_raising_an_alert_the_contract_does_not_know_is_refused_when_loaded():
    data = copy.deepcopy(next(iter(SHIPPED.values())))
    review = next(m for m in data["milestones"] if m.get("judge"))
    review["alert"] = "review_not_improoved"
    with pytest.raises(DefinitionError, match="review_not_improoved"):
        definition_from_dict(data)


def test_the_alerts_a_review_may_raise_are_the_contracts_referral_codes():
    assert {CODES[code].kind for code in REVIEW_ALERTS} == {"referral"}
