"""A protocol version's definition, parsed from data into immutable objects.

The definition files (protocols/definitions/*.yaml) hold every clinical number;
this module only checks their shape and gives them names. Nothing here knows
which protocol it is reading.
"""

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WEIGHT_BEARING = ("non_weight_bearing", "full_weight_bearing_in_boot", "full_weight_bearing")
MILESTONE_KINDS = ("baseline", "review", "check", "transition")
JUDGEMENTS = ("improvement", "recovery")
# The contract's referral alerts a judged review may raise (rehab.alert_codes holds their kind and severity).
REVIEW_ALERTS = ("review_not_improved", "not_recovered_6_months")
TIERS = ("emergency", "same_day", "next_working_day", "none")
TIER_RANK = {tier: rank for rank, tier in enumerate(reversed(TIERS))}  # none=0 … emergency=3
SYMPTOMS = (
    "chest_pain", "short_of_breath", "coughing_blood", "fainting",
    "calf_pain", "calf_swelling", "calf_redness", "calf_warmth",
    "wound_redness", "wound_discharge", "wound_smell", "wound_opening", "fever",
    "sudden_pop", "unable_to_push_off", "numbness", "pressure_sore", "other",
)  # fmt: skip


class DefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class DayRange:
    first_day: int
    last_day: int | None  # None: open-ended

    def covers(self, day: int) -> bool:
        return day >= self.first_day and (self.last_day is None or day <= self.last_day)


@dataclass(frozen=True)
class Phase(DayRange):
    code: str = ""
    name: str = ""
    description: str = ""


@dataclass(frozen=True)
class LinearWeaning:
    """Height falls linearly from from_cm over over_days, rounded up to the insert step.

    Rounding up (never less lift than the line) protects a reattached tendon.
    """

    from_cm: Decimal
    to_cm: Decimal
    over_days: int
    insert_step_cm: Decimal


@dataclass(frozen=True)
class HeelLiftRange(DayRange):
    cm: Decimal | None = None
    weaning: LinearWeaning | None = None
    label: str = ""


@dataclass(frozen=True)
class ValueRange(DayRange):
    value: Any = None


@dataclass(frozen=True)
class Exercise(DayRange):
    code: str = ""
    name: str = ""
    sets: int = 0
    reps: int = 0
    times_per_day: int = 0
    instructions: str = ""


@dataclass(frozen=True)
class Note(DayRange):
    text: str = ""


@dataclass(frozen=True)
class MilestoneDefinition:
    code: str
    name: str
    kind: str
    window_start_day: int
    window_end_day: int
    judge: str | None = None  # "improvement" or "recovery" for judged reviews
    baseline: str | None = None  # code of the milestone whose window is the baseline
    alert: str | None = None  # alert code raised when the judgement fails
    referral_to: str = ""
    request_visa_a: bool = False

    @property
    def is_review(self) -> bool:
        return self.judge is not None


@dataclass(frozen=True)
class RedFlags:
    tiers: dict[str, str]  # symptom -> tier; unlisted symptoms are "none"
    advice: dict[str, str]  # tier -> message

    def tier_of(self, symptom: str) -> str:
        return self.tiers.get(symptom, "none")


@dataclass(frozen=True)
class ProtocolDefinition:
    code: str
    version: int
    name: str
    care: str
    conditions: tuple[str, ...]
    phases: tuple[Phase, ...]
    boot: tuple[ValueRange, ...]
    plantar_flexion_deg: tuple[ValueRange, ...]
    weight_bearing: tuple[ValueRange, ...]
    heel_lift: tuple[HeelLiftRange, ...]
    exercises: tuple[Exercise, ...]
    avoid: tuple[Note, ...]
    care_items: tuple[Note, ...]
    milestones: tuple[MilestoneDefinition, ...]
    rules: dict[str, Any] = field(default_factory=dict)
    red_flags: RedFlags = field(default_factory=lambda: RedFlags({}, {}))
    defaults: dict[str, Any] = field(default_factory=dict)

    def milestone(self, code: str) -> MilestoneDefinition:
        for milestone in self.milestones:
            if milestone.code == code:
                return milestone
        raise KeyError(code)

    def rule(self, name: str) -> Any:
        return self.rules[name]


# Every [default] of the clinical spec that a judgement or guardrail reads.
REQUIRED_RULES = (
    "review_grace_hours",
    "pain_min_days",
    "pain_improvement_points",
    "pain_improvement_fraction",
    "visa_a_improvement_points",
    "recovered_visa_a_min",
    "recovered_pain_max",
    "review_lookback_days",
    "baseline_fallback_days",
    "nsaid_max_consecutive_days",
    "nsaid_max_days_in_window",
    "nsaid_window_days",
    "exercise_pain_max",
    "morning_pain_rise",
    "pain_spike_points",
    "pain_spike_min_context_entries",
    "no_recent_logs_days",
    "pain_nudge_days",
    "escalate_urgent_after_minutes",
    "escalate_emergency_after_minutes",
    # The reminder planner reads these for every enrolment: refuse a version without them at load, not mid-plan.
    "exercise_reminder_time",
    "transition_reminder_time",
    "visa_a_reminder_days_before",
)


# Rules named after the first versions were published, with the value those
# versions were published with (then implicit in the code). A version that
# names one overrides it, so a clinic changes it by publishing a new version.
LATER_RULES = {
    "pain_spike_window_days": 7,  # section 4: "the 7-day mean of entries with the same context"
    "morning_pain_window_days": 7,  # section 4: morning pain over 7 days against the previous 7
}


def definition_from_dict(data: dict) -> ProtocolDefinition:
    try:
        return _parse(data)
    except DefinitionError:
        raise
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise DefinitionError(f"{data.get('code', '?')}: malformed definition ({exc!r})") from exc


def _parse(data: dict) -> ProtocolDefinition:
    code = data["code"]
    phases = tuple(
        Phase(
            first_day=int(p["first_day"]),
            last_day=_opt_int(p.get("last_day")),
            code=p["code"],
            name=p["name"],
            description=p.get("description", ""),
        )
        for p in data["phases"]
    )
    _check_contiguous(code, phases)
    milestones = tuple(_milestone(m) for m in data["milestones"])
    codes = [m.code for m in milestones]
    if len(codes) != len(set(codes)):
        raise DefinitionError(f"{code}: milestone codes repeat")
    for m in milestones:
        if m.baseline and m.baseline not in codes:
            raise DefinitionError(f"{code}: milestone {m.code} names unknown baseline {m.baseline}")
    rules = {**LATER_RULES, **data.get("rules", {})}
    missing = [r for r in REQUIRED_RULES if r not in rules]
    if missing:
        raise DefinitionError(f"{code}: rules missing {', '.join(missing)}")
    flags = data.get("red_flags", {})
    tiers = dict(flags.get("tiers", {}))
    bad = sorted({s for s in tiers if s not in SYMPTOMS} | {t for t in tiers.values() if t not in TIERS})
    if bad:
        raise DefinitionError(f"{code}: red_flags name unknown symptoms or tiers: {', '.join(bad)}")
    advice = dict(flags.get("advice", {}))
    if set(advice) != set(TIERS):
        raise DefinitionError(f"{code}: red_flags.advice needs a message for each of {', '.join(TIERS)}")
    weight_bearing = _values(data.get("weight_bearing"))
    for r in weight_bearing:
        if r.value not in WEIGHT_BEARING:
            raise DefinitionError(f"{code}: unknown weight_bearing {r.value}")
    return ProtocolDefinition(
        code=code,
        version=int(data["version"]),
        name=data["name"],
        care=data["care"],
        conditions=tuple(data.get("conditions", ())),
        phases=phases,
        boot=_values(data.get("boot")),
        plantar_flexion_deg=_values(data.get("plantar_flexion_deg")),
        weight_bearing=weight_bearing,
        heel_lift=tuple(_heel_lift(r) for r in data.get("heel_lift", {}).get("ranges", ())),
        exercises=tuple(_exercise(e) for e in data.get("exercises", ())),
        avoid=tuple(_note(n) for n in data.get("avoid", ())),
        care_items=tuple(_note(n) for n in data.get("care_items", ())),
        milestones=milestones,
        rules=rules,
        red_flags=RedFlags(tiers=tiers, advice=advice),
        defaults={
            "boot": (data.get("boot") or {}).get("default", False),
            "plantar_flexion_deg": (data.get("plantar_flexion_deg") or {}).get("default"),
            "weight_bearing": (data.get("weight_bearing") or {}).get("default", "full_weight_bearing"),
        },
    )


def _opt_int(value) -> int | None:
    return None if value is None else int(value)


def _check_contiguous(code: str, phases: tuple[Phase, ...]) -> None:
    if not phases or phases[0].first_day != 0:
        raise DefinitionError(f"{code}: the first phase must start on day 0")
    for before, after in itertools.pairwise(phases):
        if before.last_day is None or after.first_day != before.last_day + 1:
            raise DefinitionError(f"{code}: phase {after.code} must start the day after {before.code} ends")


def _values(section: dict | None) -> tuple[ValueRange, ...]:
    """A section's day ranges; a day outside them takes the definition's `defaults` (protocols.timeline)."""
    section = section or {}
    ranges = [
        ValueRange(first_day=int(r["first_day"]), last_day=_opt_int(r.get("last_day")), value=r["value"])
        for r in section.get("ranges", ())
    ]
    return tuple(ranges)


def _heel_lift(r: dict) -> HeelLiftRange:
    weaning = None
    if "weaning" in r:
        w = r["weaning"]
        weaning = LinearWeaning(
            from_cm=Decimal(str(w["from_cm"])),
            to_cm=Decimal(str(w["to_cm"])),
            over_days=int(w["over_days"]),
            insert_step_cm=Decimal(str(w["insert_step_cm"])),
        )
    return HeelLiftRange(
        first_day=int(r["first_day"]),
        last_day=_opt_int(r.get("last_day")),
        cm=None if r.get("cm") is None else Decimal(str(r["cm"])),
        weaning=weaning,
        label=r.get("label", ""),
    )


def _exercise(e: dict) -> Exercise:
    return Exercise(
        first_day=int(e.get("first_day", 0)),
        last_day=_opt_int(e.get("last_day")),
        code=e["code"],
        name=e["name"],
        sets=int(e["sets"]),
        reps=int(e["reps"]),
        times_per_day=int(e["times_per_day"]),
        instructions=e.get("instructions", ""),
    )


def _note(n: dict) -> Note:
    return Note(first_day=int(n.get("first_day", 0)), last_day=_opt_int(n.get("last_day")), text=n["text"])


def _milestone(m: dict) -> MilestoneDefinition:
    kind = m["kind"]
    if kind not in MILESTONE_KINDS:
        raise DefinitionError(f"milestone {m['code']}: unknown kind {kind}")
    judge = m.get("judge")
    if judge is not None and judge not in JUDGEMENTS:
        raise DefinitionError(f"milestone {m['code']}: unknown judge {judge}")
    if judge and not (m.get("baseline") and m.get("alert")):
        raise DefinitionError(f"milestone {m['code']}: a judged review needs a baseline and an alert")
    if judge and m["alert"] not in REVIEW_ALERTS:
        # Refused at load: the sweep would otherwise fail on it every hour, unjudged.
        raise DefinitionError(f"milestone {m['code']}: alert {m['alert']} is not one of {', '.join(REVIEW_ALERTS)}")
    start, end = m["window"]
    if int(end) < int(start):
        raise DefinitionError(f"milestone {m['code']}: window ends on day {end}, before it starts on day {start}")
    return MilestoneDefinition(
        code=m["code"],
        name=m["name"],
        kind=kind,
        window_start_day=int(start),
        window_end_day=int(end),
        judge=judge,
        baseline=m.get("baseline"),
        alert=m.get("alert"),
        referral_to=m.get("referral_to", ""),
        request_visa_a=bool(m.get("request_visa_a", False)),
    )
