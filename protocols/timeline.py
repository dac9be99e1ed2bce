"""The timeline engine: from (protocol version, start date, day) to a plan.

Pure functions over a parsed ProtocolDefinition: no database, no clock. Day 0
is the start date (the first day of conservative care, or the day of surgery).
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from protocols.definition import HeelLiftRange, MilestoneDefinition, ProtocolDefinition, ValueRange


class DayOutOfRange(ValueError):
    """The date is before the protocol's start: there is no plan for it."""


@dataclass(frozen=True)
class DatedMilestone:
    code: str
    name: str
    window_start: date
    window_end: date


@dataclass(frozen=True)
class DatedPhase:
    code: str
    name: str
    start: date
    end: date | None


def day_of(start: date, on: date) -> int:
    return (on - start).days


def phase_on(definition: ProtocolDefinition, day: int):
    for phase in definition.phases:
        if phase.covers(day):
            return phase
    raise DayOutOfRange(f"day {day} is before the start of {definition.code}")


def heel_lift_cm(definition: ProtocolDefinition, day: int) -> Decimal | None:
    for r in definition.heel_lift:
        if r.covers(day):
            return _heel_lift_in(r, day)
    return None


def _heel_lift_in(r: HeelLiftRange, day: int) -> Decimal | None:
    if r.weaning is None:
        return r.cm
    w = r.weaning
    # Exact arithmetic: a float could round 2.5000000001 up a whole step.
    on_line = w.from_cm - (w.from_cm - w.to_cm) * Decimal(day - r.first_day) / Decimal(w.over_days)
    steps = (on_line / w.insert_step_cm).to_integral_value(rounding=ROUND_CEILING)
    return max(steps * w.insert_step_cm, w.to_cm).quantize(Decimal("0.1"))


def _value_on(ranges: tuple[ValueRange, ...], day: int, default):
    for r in ranges:
        if r.covers(day):
            return r.value
    return default


def exercises_on(definition: ProtocolDefinition, day: int, overrides: Iterable[Mapping] = ()) -> list[dict]:
    """The day's exercises; a physio's per-patient dosage replaces the protocol's."""
    by_code = {o["exercise"]: o for o in overrides}
    plan = []
    for e in definition.exercises:
        if not e.covers(day):
            continue
        o = by_code.get(e.code, {})
        plan.append(
            {
                "code": e.code,
                "name": e.name,
                "sets": int(o.get("sets") or e.sets),
                "reps": int(o.get("reps") or e.reps),
                "times_per_day": int(o.get("times_per_day") or e.times_per_day),
                "instructions": e.instructions,
            }
        )
    return plan


def sessions_prescribed(definition: ProtocolDefinition, day: int, overrides: Iterable[Mapping] = ()) -> int:
    """Sessions the plan asks for on a day: the sum of times_per_day (adherence's denominator)."""
    if day < 0:
        return 0
    return sum(e["times_per_day"] for e in exercises_on(definition, day, overrides))


def dated_milestones(definition: ProtocolDefinition, start: date) -> list[DatedMilestone]:
    return [dated_milestone(m, start) for m in definition.milestones]


def dated_milestone(m: MilestoneDefinition, start: date) -> DatedMilestone:
    return DatedMilestone(
        code=m.code,
        name=m.name,
        window_start=start + timedelta(days=m.window_start_day),
        window_end=start + timedelta(days=m.window_end_day),
    )


def dated_phases(definition: ProtocolDefinition, start: date) -> list[DatedPhase]:
    return [
        DatedPhase(
            code=p.code,
            name=p.name,
            start=start + timedelta(days=p.first_day),
            end=None if p.last_day is None else start + timedelta(days=p.last_day),
        )
        for p in definition.phases
    ]


def next_milestone(
    milestones: Iterable[DatedMilestone], on: date, *, decided: Iterable[str] = ()
) -> DatedMilestone | None:
    """The undecided milestone with the earliest window_end on or after `on`; ties go to the first listed."""
    decided = set(decided)
    best = None
    for m in milestones:
        if m.code in decided or m.window_end < on:
            continue
        if best is None or m.window_end < best.window_end:
            best = m
    return best


def plan_for_day(
    definition: ProtocolDefinition,
    start: date,
    on: date,
    *,
    exercise_overrides: Iterable[Mapping] = (),
    decided_milestones: Iterable[str] = (),
) -> dict:
    """The plan of one day, in the contract's "Plan" shape."""
    day = day_of(start, on)
    if day < 0:
        raise DayOutOfRange(f"{on.isoformat()} is before the start date {start.isoformat()}")
    phase = phase_on(definition, day)
    lift = heel_lift_cm(definition, day)
    flexion = _value_on(definition.plantar_flexion_deg, day, definition.defaults.get("plantar_flexion_deg"))
    upcoming = next_milestone(dated_milestones(definition, start), on, decided=decided_milestones)
    return {
        "date": on.isoformat(),
        "day": day,
        "protocol": {"code": definition.code, "version": definition.version, "name": definition.name},
        "phase": {
            "code": phase.code,
            "name": phase.name,
            "start": (start + timedelta(days=phase.first_day)).isoformat(),
            "end": None if phase.last_day is None else (start + timedelta(days=phase.last_day)).isoformat(),
        },
        "heel_lift_cm": None if lift is None else float(lift),
        "boot": bool(_value_on(definition.boot, day, definition.defaults.get("boot", False))),
        "plantar_flexion_deg": None if flexion is None else float(flexion),
        "weight_bearing": _value_on(definition.weight_bearing, day, definition.defaults.get("weight_bearing")),
        "exercises": exercises_on(definition, day, exercise_overrides),
        "avoid": [n.text for n in definition.avoid if n.covers(day)],
        "care": [n.text for n in definition.care_items if n.covers(day)],
        "next_milestone": None if upcoming is None else _milestone_dict(upcoming),
    }


def timeline(definition: ProtocolDefinition, start: date) -> dict:
    """The whole dated timeline, as `manage.py protocol_timeline` prints it."""
    return {
        "protocol": definition.code,
        "version": definition.version,
        "start": start.isoformat(),
        "phases": [
            {
                "code": p.code,
                "name": p.name,
                "start": p.start.isoformat(),
                "end": None if p.end is None else p.end.isoformat(),
                "first_day": (p.start - start).days,
                "last_day": None if p.end is None else (p.end - start).days,
            }
            for p in dated_phases(definition, start)
        ],
        "milestones": [_milestone_dict(m) for m in dated_milestones(definition, start)],
        "heel_lift_changes": heel_lift_changes(definition, start),
    }


def heel_lift_changes(definition: ProtocolDefinition, start: date) -> list[dict]:
    """Each day the heel lift, boot or weight bearing changes: the reminders' source."""
    last_day = max((p.last_day or p.first_day) for p in definition.phases)
    horizon = max([last_day] + [r.last_day or r.first_day for r in definition.heel_lift]) + 1
    changes, previous = [], None
    for day in range(0, horizon + 1):
        state = (
            heel_lift_cm(definition, day),
            bool(_value_on(definition.boot, day, definition.defaults.get("boot", False))),
            _value_on(definition.weight_bearing, day, definition.defaults.get("weight_bearing")),
        )
        if day > 0 and state != previous:
            changes.append(
                {
                    "day": day,
                    "date": (start + timedelta(days=day)).isoformat(),
                    "heel_lift_cm": None if state[0] is None else float(state[0]),
                    "boot": state[1],
                    "weight_bearing": state[2],
                }
            )
        previous = state
    return changes


def _milestone_dict(m: DatedMilestone) -> dict:
    data = asdict(m)
    data["window_start"] = m.window_start.isoformat()
    data["window_end"] = m.window_end.isoformat()
    return data
