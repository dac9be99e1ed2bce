"""Safety rules and red flags, raised as each log or clinical event arrives."""

from datetime import date, timedelta

import pytest
import time_machine

from protocols.models import ProtocolVersion
from rehab.alerts.models import Alert, AlertEvent
from rehab.alerts.services.alerts import alert_raise, alerts_escalate_due
from rehab.care.services.enrollment import enrollment_start
from rehab.rules.services.safety.context import SafetyContext
from tests.factories import PatientFactory, enrolled_patient, protocol_version
from tests.support import logs
from tests.support.clock import NOW

START = date(2026, 3, 1)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def patient():
    return enrolled_patient(start=START)


@pytest.fixture
def surgical_patient():
    return enrolled_patient("post-surgical-calcific-iat", start=START)


def alerts(patient, code):
    return list(Alert.objects.filter(patient=patient, code=code))


def test_an_emergency_symptom_raises_one_emergency_alert_with_its_outbox_event(patient):
    logs.symptoms(patient, NOW, ["chest_pain", "other"], tier="emergency")
    [alert] = alerts(patient, "red_flag_emergency")
    assert (alert.kind, alert.severity) == ("red_flag", "emergency")
    assert alert.evidence["symptoms"] == ["chest_pain"]
    assert alert.escalate_at == NOW + timedelta(minutes=15)
    assert AlertEvent.objects.filter(alert=alert, type="alert.created").count() == 1


def test_each_tier_raises_its_own_code_and_none_raises_nothing(surgical_patient):
    logs.symptoms(surgical_patient, NOW, ["calf_pain"], tier="same_day")
    logs.symptoms(surgical_patient, NOW, ["numbness"], tier="next_working_day")
    logs.symptoms(surgical_patient, NOW, ["other"], tier="none")
    codes = sorted(Alert.objects.filter(patient=surgical_patient).values_list("code", "severity"))
    assert codes == [("red_flag_next_day", "routine"), ("red_flag_same_day", "urgent")]


def test_a_second_report_of_the_same_tier_updates_the_open_alert_instead_of_opening_another(surgical_patient):
    logs.symptoms(surgical_patient, NOW, ["calf_pain"], tier="same_day")
    logs.symptoms(surgical_patient, NOW + timedelta(hours=1), ["fever"], tier="same_day")
    [alert] = alerts(surgical_patient, "red_flag_same_day")
    assert alert.evidence["symptoms"] == ["fever"]
    assert AlertEvent.objects.filter(alert=alert).count() == 1


@pytest.mark.parametrize("site", ["achilles", "heel", "unknown", ""])
def test_a_corticosteroid_injection_near_the_tendon_is_an_urgent_safety_alert(patient, site):
    logs.medication(patient, date(2026, 3, 9), kind="corticosteroid_injection", site=site)
    [alert] = alerts(patient, "corticosteroid_injection")
    assert (alert.kind, alert.severity) == ("safety", "urgent")
    assert alert.evidence["site"] == (site or "unknown")


def test_a_corticosteroid_injection_elsewhere_raises_nothing(patient):
    logs.medication(patient, date(2026, 3, 9), kind="corticosteroid_injection", site="other")
    assert alerts(patient, "corticosteroid_injection") == []


def test_a_planned_injection_entered_by_a_clinician_raises_the_alert_at_once(patient):
    logs.clinical_event(patient, "corticosteroid_injection", date(2026, 4, 1), site="achilles")
    [alert] = alerts(patient, "corticosteroid_injection")
    assert alert.evidence["planned"] is True and alert.evidence["source"] == "clinical_event"


def nsaid_days(patient, first: date, count: int, **fields):
    for n in range(count):
        logs.medication(patient, first + timedelta(days=n), **fields)


def test_fourteen_consecutive_nsaid_days_are_allowed_and_the_fifteenth_raises_one_alert(patient):
    nsaid_days(patient, date(2026, 2, 20), 14)
    assert alerts(patient, "nsaid_long_term") == []
    logs.medication(patient, date(2026, 3, 6))
    logs.medication(patient, date(2026, 3, 7))
    [alert] = alerts(patient, "nsaid_long_term")
    assert alert.evidence["consecutive_days"] == 16 and alert.severity == "routine"


def test_more_than_twenty_one_nsaid_days_in_twenty_eight_raise_the_alert_without_a_long_run(patient):
    # Ten days on, one off, ten on: 20 days, then the 22nd day in 28 crosses the line.
    first = date(2026, 2, 8)
    nsaid_days(patient, first, 10)
    nsaid_days(patient, first + timedelta(days=11), 10)
    logs.medication(patient, first + timedelta(days=22))
    assert alerts(patient, "nsaid_long_term") == []  # 21 days in 28 is the limit, not beyond it
    logs.medication(patient, first + timedelta(days=24))
    [alert] = alerts(patient, "nsaid_long_term")
    assert alert.evidence["days_in_window"] == 22 and alert.evidence["consecutive_days"] == 10


def test_nsaids_given_as_ho_prophylaxis_do_not_count_towards_long_term_use(patient):
    nsaid_days(patient, date(2026, 2, 10), 20, indication="ho_prophylaxis")
    assert alerts(patient, "nsaid_long_term") == []


def test_any_nsaid_for_a_patient_with_kidney_disease_is_urgent_even_as_prophylaxis(patient):
    patient.comorbidities = ["kidney_disease"]
    patient.save()
    logs.medication(patient, date(2026, 3, 9), indication="ho_prophylaxis", route="topical")
    logs.medication(patient, date(2026, 3, 10))
    [alert] = alerts(patient, "nsaid_kidney_disease")
    assert alert.severity == "urgent"


def test_an_nsaid_without_kidney_disease_raises_no_kidney_alert(patient):
    logs.medication(patient, date(2026, 3, 9))
    assert alerts(patient, "nsaid_kidney_disease") == []


def week_of_rest_pain(patient, score: int):
    for hours in (24, 48, 72, 96):
        logs.pain(patient, score, NOW - timedelta(hours=hours))


def test_a_pain_spike_three_above_the_context_mean_is_routine_in_conservative_care(patient):
    week_of_rest_pain(patient, 3)
    logs.pain(patient, 5, NOW)
    assert alerts(patient, "pain_spike") == []
    logs.pain(patient, 7, NOW + timedelta(minutes=5))
    [alert] = alerts(patient, "pain_spike")
    assert alert.severity == "routine"
    assert alert.evidence["basis"] == "context" and alert.evidence["score"] == 7


def test_a_pain_spike_after_surgery_is_urgent_and_escalates_after_four_hours(surgical_patient):
    week_of_rest_pain(surgical_patient, 2)
    logs.pain(surgical_patient, 6, NOW)
    [alert] = alerts(surgical_patient, "pain_spike")
    assert alert.severity == "urgent" and alert.escalate_at == NOW + timedelta(hours=4)


def test_a_spike_after_surgery_makes_an_open_routine_spike_alert_urgent_so_it_escalates(patient):
    week_of_rest_pain(patient, 2)
    logs.pain(patient, 6, NOW - timedelta(hours=2))
    [before] = alerts(patient, "pain_spike")
    assert before.severity == "routine" and before.escalate_at is None
    enrollment_start(
        patient=patient, protocol_version=protocol_version("post-surgical-calcific-iat"), start_date=NOW.date()
    )
    logs.pain(patient, 7, NOW)
    [alert] = alerts(patient, "pain_spike")
    assert alert.pk == before.pk and alert.severity == "urgent"
    assert alert.escalate_at == NOW + timedelta(hours=4)
    assert alerts_escalate_due(now=NOW + timedelta(hours=4)) == [alert.pk]


def test_a_milder_return_of_the_same_cause_never_lowers_an_open_alert_nor_delays_its_escalation(
    surgical_patient, frozen_clock
):
    week_of_rest_pain(surgical_patient, 2)
    logs.pain(surgical_patient, 6, NOW)
    frozen_clock.move_to(NOW + timedelta(hours=1))
    alert_raise(patient=surgical_patient, code="pain_spike", reason="again", evidence={}, severity="routine")
    [alert] = alerts(surgical_patient, "pain_spike")
    assert alert.severity == "urgent" and alert.escalate_at == NOW + timedelta(hours=4)


def test_a_context_with_few_entries_is_compared_with_all_contexts(patient):
    week_of_rest_pain(patient, 2)
    logs.pain(patient, 5, NOW, context="night")
    [alert] = alerts(patient, "pain_spike")
    assert alert.evidence["basis"] == "all_contexts" and alert.evidence["mean_7d"] == 2.0


def test_several_spikes_make_one_alert_not_one_per_log(patient):
    week_of_rest_pain(patient, 1)
    for minutes in (0, 10, 20):
        logs.pain(patient, 9, NOW + timedelta(minutes=minutes))
    assert len(alerts(patient, "pain_spike")) == 1


def test_exercise_pain_above_five_is_a_routine_guardrail_and_five_is_acceptable(patient):
    logs.exercise(patient, NOW, pain_during=5)
    assert alerts(patient, "exercise_pain_high") == []
    logs.exercise(patient, NOW, pain_during=6)
    [alert] = alerts(patient, "exercise_pain_high")
    assert (alert.kind, alert.evidence["pain_during"]) == ("guardrail", 6)


def test_morning_pain_one_point_above_the_week_before_raises_the_guardrail(patient):
    for days_ago in range(13, 6, -1):
        logs.pain(patient, 2, NOW - timedelta(days=days_ago), context="morning", check=False)
    for days_ago in range(6, 0, -1):
        logs.pain(patient, 3, NOW - timedelta(days=days_ago), context="morning", check=False)
    logs.pain(patient, 2, NOW, context="morning")
    assert alerts(patient, "morning_pain_rising") == []  # 6 x 3 + 2 over 7 is 2.86: less than a point
    logs.pain(patient, 4, NOW + timedelta(minutes=1), context="morning")
    [alert] = alerts(patient, "morning_pain_rising")
    assert alert.evidence["mean_previous_7d"] == 2.0 and alert.evidence["mean_7d"] == 3.0


def test_an_ho_surgical_referral_without_a_mature_bone_scan_is_a_safety_alert():
    patient = enrolled_patient("conservative-achilles-ho", start=START, condition="achilles_heterotopic_ossification")
    logs.clinical_event(patient, "imaging", date(2026, 3, 5), modality="bone_scan", ho_maturity="immature")
    logs.clinical_event(patient, "surgical_referral", date(2026, 3, 9))
    [alert] = alerts(patient, "ho_referral_without_maturity")
    assert alert.evidence["last_bone_scan"] == {"date": "2026-03-05", "ho_maturity": "immature"}


def test_an_ho_surgical_referral_after_a_mature_bone_scan_is_fine():
    patient = enrolled_patient("conservative-achilles-ho", start=START, condition="achilles_heterotopic_ossification")
    logs.clinical_event(patient, "imaging", date(2026, 3, 5), modality="bone_scan", ho_maturity="mature")
    logs.clinical_event(patient, "surgical_referral", date(2026, 3, 9))
    assert alerts(patient, "ho_referral_without_maturity") == []


def test_a_surgical_referral_for_calcific_tendinopathy_needs_no_bone_scan(patient):
    logs.clinical_event(patient, "surgical_referral", date(2026, 3, 9))
    assert alerts(patient, "ho_referral_without_maturity") == []


def patient_on_version_with(**rules):
    """A patient on a new published version of conservative care whose rules differ: no code change."""
    v1 = protocol_version("conservative-calcific-iat")
    data = {**v1.document, "version": v1.version + 1, "rules": {**v1.document["rules"], **rules}}
    v2 = ProtocolVersion.objects.create(protocol=v1.protocol, version=data["version"], document=data, checksum="x")
    patient = PatientFactory()
    enrollment_start(patient=patient, protocol_version=v2, start_date=START)
    return patient


def test_the_pain_spike_week_is_the_protocol_versions_rule(patient):
    shorter = patient_on_version_with(pain_spike_window_days=3)
    for p in (patient, shorter):
        for hours in (96, 120):  # four and five days ago
            logs.pain(p, 1, NOW - timedelta(hours=hours))
        logs.pain(p, 5, NOW)
    assert len(alerts(patient, "pain_spike")) == 1
    assert alerts(shorter, "pain_spike") == []  # nothing in its 3-day window to compare with


def test_the_morning_pain_weeks_are_the_protocol_versions_rule(patient):
    shorter = patient_on_version_with(morning_pain_window_days=3)
    for p in (patient, shorter):
        for days_ago, score in ((5, 2), (4, 2), (3, 2), (2, 3), (1, 3)):
            logs.pain(p, score, NOW - timedelta(days=days_ago), context="morning", check=False)
        logs.pain(p, 4, NOW, context="morning")
    assert alerts(patient, "morning_pain_rising") == []  # no entries in the 7 days before its week
    [alert] = alerts(shorter, "morning_pain_rising")
    assert (alert.evidence["mean_previous_7d"], alert.evidence["mean_7d"]) == (2.0, 3.33)


def test_an_urgent_alert_before_the_first_enrolment_starts_escalates_after_the_protocols_four_hours():
    patient = enrolled_patient("post-surgical-calcific-iat", start=NOW.date() + timedelta(days=7))  # surgery ahead
    logs.clinical_event(patient, "corticosteroid_injection", NOW.date() + timedelta(days=2), site="heel")
    [alert] = alerts(patient, "corticosteroid_injection")
    assert alert.escalate_at == NOW + timedelta(hours=4)


def test_a_patient_is_after_surgery_only_once_the_post_surgical_enrolment_is_current():
    patient = enrolled_patient("post-surgical-calcific-iat", start=NOW.date() + timedelta(days=7))
    ctx = SafetyContext.for_patient(patient)
    assert ctx.rule("escalate_urgent_after_minutes") == 240  # its rules apply already
    assert ctx.after_surgery is False
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert SafetyContext.for_patient(patient).after_surgery is True
