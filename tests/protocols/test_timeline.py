"""The timeline engine against the clinical spec (shared clinical/protocols.md) and the API contract's codes."""

from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocols.definition import definition_from_dict
from protocols.library import DEFINITIONS_DIR, read_definition
from protocols.timeline import DayOutOfRange, heel_lift_cm, phase_on, plan_for_day, timeline

START = date(2026, 3, 2)
POST_SURGICAL = "post-surgical-calcific-iat"
CONSERVATIVE = "conservative-calcific-iat"
HO = "conservative-achilles-ho"
CONSERVATIVE_ONES = (CONSERVATIVE, HO)


@cache
def spec_of(code: str):
    return definition_from_dict(read_definition(DEFINITIONS_DIR / f"{code}.v1.yaml"))


def plan(code: str, day: int, **kwargs) -> dict:
    return plan_for_day(spec_of(code), START, START + timedelta(days=day), **kwargs)


# Section 2's table, day by day: (first day, last day, heel lift cm, boot).
HEEL_LIFT_TABLE = [
    (0, 6, None, False),
    (7, 51, 4.0, True),
    (52, 53, 3.5, True),
    (54, 55, 3.0, True),
    (56, 58, 2.5, False),
    (59, 60, 2.0, False),
    (61, 62, 1.5, False),
    (63, 120, 1.0, False),
]
HEEL_LIFT_BY_DAY = [(day, cm, boot) for first, last, cm, boot in HEEL_LIFT_TABLE for day in range(first, last + 1)]


@pytest.mark.parametrize(("day", "cm", "boot"), HEEL_LIFT_BY_DAY)
def test_every_day_of_the_heel_lift_table_has_the_published_height_and_boot(day, cm, boot):
    today = plan(POST_SURGICAL, day)
    assert today["heel_lift_cm"] == cm
    assert today["boot"] is boot


@pytest.mark.parametrize("day", range(0, 7))
def test_the_first_week_after_surgery_is_immobilised_at_20_degrees_without_weight_bearing(day):
    today = plan(POST_SURGICAL, day)
    assert today["phase"]["code"] == "immobilisation"
    assert today["plantar_flexion_deg"] == 20
    assert today["weight_bearing"] == "non_weight_bearing"
    assert today["boot"] is False
    assert today["heel_lift_cm"] is None


@pytest.mark.parametrize("day", range(7, 49))
def test_days_7_to_48_are_full_weight_bearing_in_the_boot_with_a_4_cm_lift(day):
    today = plan(POST_SURGICAL, day)
    assert today["phase"]["code"] == "boot-heel-lift"
    assert today["boot"] is True
    assert today["heel_lift_cm"] == 4.0
    assert today["weight_bearing"] == "full_weight_bearing_in_boot"
    assert today["plantar_flexion_deg"] is None


def test_the_boot_comes_off_on_day_56_in_the_middle_of_the_weaning():
    assert plan(POST_SURGICAL, 55)["boot"] is True
    day_56 = plan(POST_SURGICAL, 56)
    assert day_56["boot"] is False
    assert day_56["phase"]["code"] == "heel-lift-weaning"
    assert day_56["weight_bearing"] == "full_weight_bearing"
    assert "Walking without the boot." in plan(POST_SURGICAL, 55)["avoid"]
    assert "Walking without the boot." not in day_56["avoid"]


@pytest.mark.parametrize("day", [63, 64, 90, 365])
def test_the_1_cm_elastic_wedge_starts_on_day_63_and_stays(day):
    today = plan(POST_SURGICAL, day)
    assert today["phase"]["code"] == "elastic-wedge"
    assert today["heel_lift_cm"] == 1.0
    assert today["boot"] is False


def test_calf_stretching_and_dorsiflexion_are_avoided_until_the_wedge_phase():
    for day in (0, 30, 62):
        assert {"Calf stretching.", "Loading the ankle into dorsiflexion."} <= set(plan(POST_SURGICAL, day)["avoid"])
    assert "Calf stretching." not in plan(POST_SURGICAL, 63)["avoid"]
    assert "gentle-calf-stretch" in [e["code"] for e in plan(POST_SURGICAL, 63)["exercises"]]


def test_isometric_exercises_begin_in_the_boot():
    assert "isometric-plantarflexion-in-boot" not in [e["code"] for e in plan(POST_SURGICAL, 6)["exercises"]]
    assert "isometric-plantarflexion-in-boot" in [e["code"] for e in plan(POST_SURGICAL, 7)["exercises"]]


PHASES = {
    POST_SURGICAL: [("immobilisation", 0, 6), ("boot-heel-lift", 7, 48), ("heel-lift-weaning", 49, 62),
                    ("elastic-wedge", 63, None)],
    CONSERVATIVE: [("conservative-trial", 0, 55), ("continued-care", 56, None)],
    HO: [("conservative-trial", 0, 55), ("continued-care", 56, None)],
}  # fmt: skip
MILESTONES = {
    POST_SURGICAL: [("end-immobilisation", 7, 7), ("boot-removal", 56, 56), ("elastic-wedge", 63, 63),
                    ("post-boot-baseline", 56, 62), ("review-12-weeks", 77, 91)],
    CONSERVATIVE: [("baseline", 0, 6), ("review-6-8-weeks", 42, 56), ("check-3-months", 83, 97),
                   ("check-6-months", 166, 194)],
    HO: [("baseline", 0, 6), ("review-6-8-weeks", 42, 56), ("check-3-months", 83, 97),
         ("check-6-months", 166, 194)],
}  # fmt: skip


def iso(day: int | None) -> str | None:
    return None if day is None else (START + timedelta(days=day)).isoformat()


@pytest.mark.parametrize("code", sorted(PHASES))
def test_the_dated_timeline_has_the_contract_phase_codes_and_inclusive_dates(code):
    result = timeline(spec_of(code), START)
    assert result["protocol"] == code
    assert result["version"] == 1
    assert result["start"] == START.isoformat()
    assert [(p["code"], p["start"], p["end"]) for p in result["phases"]] == [
        (c, iso(first), iso(last)) for c, first, last in PHASES[code]
    ]


@pytest.mark.parametrize("code", sorted(MILESTONES))
def test_the_dated_timeline_has_the_contract_milestone_codes_and_windows(code):
    result = timeline(spec_of(code), START)
    assert [(m["code"], m["window_start"], m["window_end"]) for m in result["milestones"]] == [
        (c, iso(first), iso(last)) for c, first, last in MILESTONES[code]
    ]


@pytest.mark.parametrize("code", sorted(PHASES))
def test_each_day_falls_in_the_phase_the_contract_gives(code):
    definition = spec_of(code)
    for phase_code, first, last in PHASES[code]:
        for day in range(first, (last if last is not None else first + 30) + 1):
            assert phase_on(definition, day).code == phase_code


@pytest.mark.parametrize("code", CONSERVATIVE_ONES)
def test_the_conservative_review_window_runs_from_day_42_to_day_56(code):
    assert plan(code, 41)["next_milestone"]["code"] == "review-6-8-weeks"
    for day in (42, 50, 56):
        upcoming = plan(code, day)["next_milestone"]
        assert upcoming == {
            "code": "review-6-8-weeks",
            "name": "Review at 6-8 weeks",
            "window_start": iso(42),
            "window_end": iso(56),
        }
    assert plan(code, 57)["next_milestone"]["code"] == "check-3-months"


@pytest.mark.parametrize("code", CONSERVATIVE_ONES)
def test_conservative_care_prescribes_eccentric_loading_3_by_15_twice_a_day(code):
    exercises = {e["code"]: e for e in plan(code, 0)["exercises"]}
    for drop in ("eccentric-heel-drop-straight-knee", "eccentric-heel-drop-bent-knee"):
        assert (exercises[drop]["sets"], exercises[drop]["reps"], exercises[drop]["times_per_day"]) == (3, 15, 2)
    today = plan(code, 10)
    assert today["boot"] is False
    assert today["heel_lift_cm"] is None
    assert today["weight_bearing"] == "full_weight_bearing"
    assert "Corticosteroid injections into or around the Achilles tendon." in today["avoid"]


def test_a_physios_dosage_replaces_the_protocols_for_that_patient_only():
    override = [{"exercise": "eccentric-heel-drop-straight-knee", "sets": 2, "reps": 10, "times_per_day": 1}]
    mine = {e["code"]: e for e in plan(CONSERVATIVE, 3, exercise_overrides=override)["exercises"]}
    straight = mine["eccentric-heel-drop-straight-knee"]
    assert (straight["sets"], straight["reps"], straight["times_per_day"]) == (2, 10, 1)
    assert mine["eccentric-heel-drop-bent-knee"]["sets"] == 3
    default = {e["code"]: e for e in plan(CONSERVATIVE, 3)["exercises"]}
    assert default["eccentric-heel-drop-straight-knee"]["sets"] == 3


def test_the_ho_protocol_requires_a_mature_bone_scan_before_a_surgical_referral():
    assert spec_of(HO).rule("ho_referral_requires_mature_bone_scan") is True
    assert spec_of(CONSERVATIVE).rule("ho_referral_requires_mature_bone_scan") is False
    assert spec_of(HO).conditions == ("achilles_heterotopic_ossification",)
    avoid = plan(HO, 5)["avoid"]
    assert "Resection before serial bone scans show the lesion is mature." in avoid


def test_the_ho_protocol_records_imaging_and_biomechanics_in_its_care_items():
    care = " ".join(plan(HO, 0)["care"])
    assert "radiograph" in care
    assert "bone scan" in care
    assert "pronation" in care


def test_the_plan_has_every_field_of_the_contract():
    today = plan(POST_SURGICAL, 20)
    assert set(today) >= {
        "date",
        "day",
        "protocol",
        "phase",
        "heel_lift_cm",
        "boot",
        "plantar_flexion_deg",
        "weight_bearing",
        "exercises",
        "avoid",
        "next_milestone",
    }
    assert today["protocol"] == {"code": POST_SURGICAL, "version": 1, "name": spec_of(POST_SURGICAL).name}
    assert today["phase"] == {
        "code": "boot-heel-lift",
        "name": "Walking boot with a 4 cm heel lift",
        "start": iso(7),
        "end": iso(48),
    }
    assert set(today["exercises"][0]) == {"code", "name", "sets", "reps", "times_per_day", "instructions"}
    assert today["next_milestone"]["code"] == "boot-removal"


def test_next_milestone_ties_go_to_the_one_listed_first():
    # boot-removal (56-56) is listed before post-boot-baseline (56-62); on day 56 both are open.
    assert plan(POST_SURGICAL, 56)["next_milestone"]["code"] == "boot-removal"
    assert plan(POST_SURGICAL, 57)["next_milestone"]["code"] == "post-boot-baseline"


def test_a_decided_milestone_is_not_the_next_one():
    upcoming = plan(CONSERVATIVE, 45, decided_milestones=["review-6-8-weeks"])["next_milestone"]
    assert upcoming["code"] == "check-3-months"


def test_there_is_no_plan_before_the_start_date():
    with pytest.raises(DayOutOfRange):
        plan(CONSERVATIVE, -1)


def test_the_last_phase_is_open_ended():
    assert timeline(spec_of(CONSERVATIVE), START)["phases"][-1]["end"] is None
    assert plan(CONSERVATIVE, 1000)["phase"]["code"] == "continued-care"


def test_a_finer_insert_step_follows_the_line_more_closely_and_never_below_it():
    data = read_definition(DEFINITIONS_DIR / f"{POST_SURGICAL}.v1.yaml")
    data["heel_lift"]["ranges"][1]["weaning"]["insert_step_cm"] = 0.25
    finer = definition_from_dict(data)
    assert heel_lift_cm(finer, 52) == Decimal("3.5")  # line 3.357
    assert heel_lift_cm(finer, 55) == Decimal("2.8")  # line 2.714 -> 2.75, shown to 0.1
    assert heel_lift_cm(spec_of(POST_SURGICAL), 55) == Decimal("3.0")


def weaning_line(day: int) -> Decimal:
    return Decimal(4) - Decimal(3) * Decimal(day - 49) / Decimal(14)


@given(st.integers(min_value=49, max_value=62))
def test_the_weaning_heel_lift_is_never_below_the_line_nor_a_full_step_above_it(day):
    cm = heel_lift_cm(spec_of(POST_SURGICAL), day)
    assert weaning_line(day) <= cm < weaning_line(day) + Decimal("0.5")
    assert cm % Decimal("0.5") == 0


@given(st.integers(min_value=7, max_value=400), st.integers(min_value=0, max_value=30))
def test_the_heel_lift_never_rises_once_the_boot_is_on(day, later_by):
    definition = spec_of(POST_SURGICAL)
    assert heel_lift_cm(definition, day + later_by) <= heel_lift_cm(definition, day)


@given(
    st.sampled_from(sorted(PHASES)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=500),
)
def test_any_day_on_or_after_the_start_has_one_plan_dated_by_its_day(code, start, day):
    on = start + timedelta(days=day)
    today = plan_for_day(spec_of(code), start, on)
    assert today["day"] == day
    assert today["date"] == on.isoformat()
    assert date.fromisoformat(today["phase"]["start"]) <= on
    assert today["phase"]["end"] is None or on <= date.fromisoformat(today["phase"]["end"])
