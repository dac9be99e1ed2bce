"""Each alert code's evidence as a sentence: the numbers the rule compared; a patient's dates as dates, in their
zone; instants in the clinic's zone, the zone named."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from patients.models import Patient
from rehab.alerts.codes import CODES
from rehab.alerts.models import Alert
from rehab.dashboard.presenters import SENTENCES, evidence_sentence

RULES = {
    "pain_improvement_points": 2,
    "pain_improvement_fraction": 0.3,
    "visa_a_improvement_points": 7,
    "recovered_pain_max": 2,
    "recovered_visa_a_min": 90,
}
LONDON = ZoneInfo("Europe/London")


def alert(code: str, evidence: dict, reason: str = "The generated reason.", patient_zone="Europe/London") -> Alert:
    return Alert(
        code=code,
        evidence=evidence,
        reason=reason,
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
        patient=Patient(timezone=patient_zone),
    )


def test_every_alert_code_has_a_sentence():
    assert set(SENTENCES) == set(CODES)


def test_a_review_not_improved_names_pain_at_the_review_against_the_baseline_and_the_bar():
    evidence = {
        "outcome": "not_met",
        "baseline_pain": {"value": 7.1, "days": 7, "from": "2026-01-20", "to": "2026-01-26"},
        "current_pain": {"value": 7.0, "days": 7, "from": "2026-03-11", "to": "2026-03-17"},
        "visa_a_baseline": {"score": 40, "date": "2026-01-22"},
        "visa_a_current": {"score": 44, "date": "2026-03-06"},
        "pain_improved": False,
        "visa_a_improved": False,
    }
    assert evidence_sentence(alert("review_not_improved", evidence), rules=RULES, zone=LONDON) == (
        "Pain 7.0 at the review vs baseline 7.1: not 2 points and 30% lower (4.97 or less needed)".replace(
            "4.97", "5.0"
        )
        + "; VISA-A 44 vs baseline 40: not 7 points higher."
    )


def test_a_review_too_thin_to_judge_says_what_was_missing():
    evidence = {"outcome": "not_judgeable", "baseline_pain": None, "current_pain": None, "visa_a_current": None}
    assert evidence_sentence(alert("review_not_judgeable", evidence), rules=RULES, zone=LONDON) == (
        "No pain measure at the review (too few days logged); no VISA-A in the review window."
    )


@pytest.mark.parametrize(
    ("code", "evidence", "sentence"),
    [
        (
            "red_flag_same_day",
            {
                "tier": "same_day",
                "symptoms": ["calf_pain", "calf_swelling"],
                "reported_at": "2026-06-14T18:00:00+00:00",
                "care": "post_surgical",
            },
            "Calf pain, calf swelling reported on 14 Jun 2026 at 19:00 BST during post surgical care: same day tier.",
        ),
        (
            "no_recent_logs",
            {"last_log_at": "2026-06-01T08:30:00+00:00", "days_without_logs": 7},
            "Nothing logged for 7 days or more; last log on 1 Jun 2026 at 09:30 BST.",
        ),
        (
            "no_recent_logs",
            {"last_log_at": None, "days_without_logs": 7},
            "Nothing logged for 7 days or more; nothing ever logged.",
        ),
        (
            "pain_spike",
            {
                "score": 9,
                "context": "after_exercise",
                "recorded_at": "2026-06-14T09:00:00+00:00",
                "mean_7d": 4.25,
                "entries_7d": 12,
                "window_days": 7,
                "basis": "context",
            },
            "Pain 9 (after exercise) on 14 Jun 2026 at 10:00 BST vs the 7-day mean 4.2 of 12 entries: 4.8 higher.",
        ),
        (
            "morning_pain_rising",
            {"mean_7d": 5.1, "mean_previous_7d": 3.9, "window_days": 7, "to": "2026-06-14"},
            "Morning pain 7-day mean 5.1 vs 3.9 the 7 days before: 1.2 higher.",
        ),
        (
            "exercise_pain_high",
            {"exercise": "eccentric-heel-drop", "pain_during": 7, "limit": 5},
            "Pain 7 during eccentric heel drop, above the limit of 5.",
        ),
        (
            "nsaid_long_term",
            {
                "consecutive_days": 16,
                "days_in_window": 18,
                "window_days": 28,
                "limits": {"consecutive_days": 14, "days_in_window": 21},
                "first_day": "2026-05-20",
                "last_day": "2026-06-04",
            },
            "NSAIDs 16 days in a row (limit 14), 18 of 28 days (limit 21), 20 May 2026 to 4 Jun 2026.",
        ),
        (
            "nsaid_kidney_disease",
            {"taken_on": "2026-06-10", "route": "oral"},
            "NSAID (oral) taken on 10 Jun 2026 by a patient with kidney disease.",
        ),
        (
            "corticosteroid_injection",
            {"site": "achilles", "date": "2026-06-20", "planned": True},
            "Corticosteroid injection at the achilles site planned for 20 Jun 2026.",
        ),
        (
            "ho_referral_without_maturity",
            {"referral_date": "2026-06-01", "last_bone_scan": {"date": "2026-05-01", "ho_maturity": "immature"}},
            "Surgical referral dated 1 Jun 2026; last bone scan 1 May 2026: immature.",
        ),
        (
            "not_recovered_6_months",
            {"current_pain": {"value": 3.5}, "visa_a_current": {"score": 70}},
            "Pain 3.5 (recovered at 2 or less); VISA-A 70 (recovered at 90 or more).",
        ),
    ],
)
def test_sentences_of_each_code(code, evidence, sentence):
    assert evidence_sentence(alert(code, evidence), rules=RULES, zone=LONDON) == sentence


@pytest.mark.parametrize(
    ("code", "evidence", "sentence"),
    [
        (
            "red_flag_same_day",
            # 19:00 on 30 Nov in New York is 00:00 on 1 Dec in UTC: the report is of the patient's 30 Nov.
            {
                "tier": "same_day",
                "symptoms": ["calf_pain"],
                "reported_at": "2026-12-01T00:00:00+00:00",
                "care": "post_surgical",
            },
            "Calf pain reported on 30 Nov 2026, the patient's day (2026-12-01 00:00 UTC) during post surgical care: "
            "same day tier.",
        ),
        (
            "pain_spike",
            {
                "score": 9,
                "context": "activity",
                "recorded_at": "2026-12-01T01:30:00+00:00",
                "mean_7d": 4,
                "entries_7d": 9,
                "window_days": 7,
                "basis": "context",
            },
            "Pain 9 (activity) on 30 Nov 2026, the patient's day (2026-12-01 01:30 UTC) vs the 7-day mean 4.0 of "
            "9 entries: 5.0 higher.",
        ),
        (
            "no_recent_logs",
            {"last_log_at": "2026-11-20T23:30:00+00:00", "days_without_logs": 7},
            "Nothing logged for 7 days or more; last log on 20 Nov 2026 at 23:30 UTC.",
        ),
    ],
)
def test_a_patients_log_reads_as_the_patients_day_and_the_instant_in_the_clinics_zone(code, evidence, sentence):
    """A clinic in UTC, a patient in New York: the evening's report is not dated the next day."""
    given = alert(code, evidence, patient_zone="America/New_York")
    assert evidence_sentence(given, rules=None, zone=ZoneInfo("UTC")) == sentence


def test_evidence_of_an_unreadable_shape_falls_back_to_the_reason():
    assert evidence_sentence(alert("pain_spike", {"score": 9}), rules=None, zone=LONDON) == "The generated reason."
    assert evidence_sentence(alert("a_code_of_the_future", {}), rules=None, zone=LONDON) == "The generated reason."
