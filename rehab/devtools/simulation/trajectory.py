"""Synthetic patients: who they are, and what they log on each day of their protocol.

Everything is a pure function of a seed, so a cohort is reproducible and the
simulator knows the truth about each patient: whether their course really
improved. The numbers are chosen so that truth is never borderline under the
section 4 rules (an improving patient's pain falls by more than half and their
VISA-A rises by 15 or more; a non-improving patient's moves by at most noise),
so a referral either way is the backend's doing, not the dice's.
"""

import enum
import itertools
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from config import clock
from protocols.definition import ProtocolDefinition
from protocols.timeline import exercises_on
from rehab.logs.visa_a import Q7_SCORES, Q8_SCORES

TIMEZONES = (
    "Australia/Sydney",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Kolkata",
    "America/New_York",
    "Pacific/Auckland",
)
# protocol code, share of the cohort, the patient's condition
PROTOCOL_MIX = (
    ("conservative-calcific-iat", 0.45, "calcific_insertional_tendinopathy"),
    ("conservative-achilles-ho", 0.25, "achilles_heterotopic_ossification"),
    ("post-surgical-calcific-iat", 0.30, "calcific_insertional_tendinopathy"),
)
# Days a protocol's first judged review falls due (window end + 1 day grace, + 1 margin).
FIRST_JUDGED_DUE_DAY = {"conservative": 58, "post_surgical": 93}
LEAD_DAYS = 35  # the earliest patients started this many days before the simulation


class Course(enum.StrEnum):
    IMPROVING = "improving"
    NOT_IMPROVING = "not_improving"
    SILENT = "silent"  # logs for a while, then stops for good


COURSE_MIX = ((Course.IMPROVING, 0.70), (Course.NOT_IMPROVING, 0.18), (Course.SILENT, 0.12))
RED_FLAG_SHARE = 0.04
NSAID_SHARE = 0.08


@dataclass(frozen=True)
class Profile:
    index: int
    protocol_code: str
    care: str  # "conservative" or "post_surgical"
    condition: str
    timezone: str
    start_offset: int  # protocol day 0 relative to the simulation's first day (negative: started before)
    course: Course
    baseline_pain: int
    baseline_visa_a: int
    silent_from_day: int | None
    red_flag_day: int | None
    red_flag_symptoms: tuple[str, ...]
    nsaid_days: tuple[int, ...]
    seed: int

    def start_date(self, sim_start: date) -> date:
        return sim_start + timedelta(days=self.start_offset)


@dataclass(frozen=True)
class Entry:
    """One thing a phone sends: the log kind and its body in the API's shape."""

    at: datetime  # UTC instant the patient made it
    patient_index: int
    kind: str  # a key of rehab.log_kinds.KINDS: "pain_logs", "exercise_logs", "visa_a", ...
    data: dict


def _pick(rng: random.Random, mix) -> object:
    r, acc = rng.random(), 0.0
    for value, share, *_ in mix:
        acc += share
        if r < acc:
            return value
    return mix[-1][0]


def cohort_plan(*, patients: int, days: int, seed: int, care_of: dict[str, str]) -> list[Profile]:
    """`patients` profiles whose start dates put most first reviews inside a `days`-long simulation.

    care_of maps protocol code -> care ("conservative"/"post_surgical"), read
    from the published definitions.
    """
    rng = random.Random(seed)
    profiles = []
    for index in range(patients):
        protocol_code = _pick(rng, PROTOCOL_MIX)
        condition = next(c for p, _, c in PROTOCOL_MIX if p == protocol_code)
        care = care_of[protocol_code]
        course = _pick(rng, COURSE_MIX)
        # Most start early enough for their first review to be judged in the run;
        # a fifth start anywhere, so some reviews are still pending at the end.
        latest = days - FIRST_JUDGED_DUE_DAY[care]
        if rng.random() < 0.8:
            start_offset = rng.randint(-LEAD_DAYS, max(-LEAD_DAYS, latest))
        else:
            start_offset = rng.randint(-LEAD_DAYS, max(days - 1, -LEAD_DAYS))
        silent_from = None
        if course is Course.SILENT:
            # Before the baseline ends for post-surgical patients' judged review, after it for conservative ones.
            silent_from = rng.randint(12, 30) if care == "conservative" else rng.randint(20, 50)
        # Red flags and NSAIDs happen inside the simulated span (history before it is bulk data, not replayed).
        in_span = max(0, -start_offset)
        red_flag_day, symptoms = None, ()
        if rng.random() < RED_FLAG_SHARE:
            red_flag_day = in_span + rng.randint(3, 40)
            symptoms = (rng.choice(("calf_swelling", "calf_pain", "fever", "chest_pain", "wound_redness", "numbness")),)
        nsaid_days = ()
        if rng.random() < NSAID_SHARE:
            first = in_span + rng.randint(0, 20)
            nsaid_days = tuple(range(first, first + rng.randint(2, 5)))  # short-term: no alert
        profiles.append(
            Profile(
                index=index,
                protocol_code=protocol_code,
                care=care,
                condition=condition,
                timezone=rng.choice(TIMEZONES),
                start_offset=start_offset,
                course=course,
                baseline_pain=rng.randint(5, 7),
                baseline_visa_a=rng.randint(35, 55),
                silent_from_day=silent_from,
                red_flag_day=red_flag_day,
                red_flag_symptoms=symptoms,
                nsaid_days=nsaid_days,
                seed=rng.getrandbits(63),
            )
        )
    return profiles


# --- Trajectories --------------------------------------------------------------


def _interpolate(knots: list[tuple[int, float]], day: int) -> float:
    if day <= knots[0][0]:
        return knots[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(knots):
        if d0 <= day <= d1:
            return v0 + (v1 - v0) * (day - d0) / (d1 - d0)
    return knots[-1][1]


def expected_pain(p: Profile, day: int) -> float:
    """The patient's underlying pain on a protocol day (before daily noise)."""
    b = p.baseline_pain
    improving = p.course is not Course.NOT_IMPROVING
    if p.care == "conservative":
        if improving:  # at least 3 points and 50% down by the 6-8 week review, near 0 by 6 months
            return _interpolate([(0, b), (8, b), (42, b // 2 - 0.5), (120, 1), (170, 0.5)], day)
        return float(b)
    # After surgery: pain settles to the post-boot baseline by day 56; judged against that.
    if improving:
        return _interpolate([(0, 7), (56, b), (63, b), (84, b // 2 - 0.5), (150, 1)], day)
    return _interpolate([(0, 7), (56, b)], day)


def expected_visa_a(p: Profile, day: int) -> int:
    v = p.baseline_visa_a
    improving = p.course is not Course.NOT_IMPROVING
    if p.care == "conservative":
        knots = [(0, v), (10, v), (45, v + 20), (170, 92)] if improving else [(0, v)]
    else:
        knots = [(0, v - 15), (56, v), (63, v), (84, v + 20), (170, 92)] if improving else [(0, v - 15), (56, v)]
    return round(_interpolate(knots, day))


def visa_a_answers(score: int) -> dict:
    """Questionnaire items (valid per rehab.visa_a) that add up to `score`."""
    score = max(0, min(100, score))
    q8 = max(s for s in Q8_SCORES["A"] if s <= score and score - s <= 70)
    rest = score - q8
    q7 = max(s for s in Q7_SCORES if s <= rest and rest - s <= 60)
    rest -= q7
    items = {}
    for i in range(1, 7):
        items[f"q{i}"] = min(10, rest)
        rest -= items[f"q{i}"]
    return {**items, "q7": q7, "q8_branch": "A", "q8": q8}


def _local(on: date, hour: int, minutes: int, tz: str) -> datetime:
    """The UTC instant `minutes` after hour:00 on a local date."""
    hour, minute = hour + minutes // 60, minutes % 60
    return clock.local_instant(on, time(hour, minute), tz).astimezone(UTC)


def _logs_on(p: Profile, day: int, rng: random.Random, definition: ProtocolDefinition) -> bool:
    if p.silent_from_day is not None and day >= p.silent_from_day:
        return False
    # Forced windows: the first week and the baseline/lookback windows. The
    # app prompts for them, and it keeps the truth free of coin-flip gaps.
    for m in definition.milestones:
        if m.kind == "baseline" and m.window_start_day <= day <= m.window_end_day:
            return True
        if m.is_review and m.window_end_day - 9 <= day <= m.window_end_day:
            return True
    return rng.random() < 0.88


def entries_for_day(p: Profile, definition: ProtocolDefinition, start: date, day: int) -> list[Entry]:
    """What the patient sends on protocol day `day` (local date start + day)."""
    if day < 0:
        return []
    rng = random.Random(p.seed * 1_000_003 + day)
    on = start + timedelta(days=day)
    tz = p.timezone
    out: list[Entry] = []

    def add(kind: str, at: datetime, data: dict) -> None:
        data = {"client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), **data}
        out.append(Entry(at=at, patient_index=p.index, kind=kind, data=data))

    if p.red_flag_day == day:
        at = _local(on, 14, rng.randint(0, 59), tz)
        add("symptom_reports", at, {"reported_at": at.isoformat(), "symptoms": list(p.red_flag_symptoms), "note": ""})
    if day in p.nsaid_days:
        at = _local(on, 12, 0, tz)
        add("medication_logs", at, {"taken_on": on.isoformat(), "kind": "nsaid", "name": "ibuprofen", "route": "oral"})
    if not _logs_on(p, day, rng, definition):
        return out
    pain = expected_pain(p, day)
    score = max(0, min(10, round(pain + rng.choice((-1, 0, 0, 0, 1)))))
    at = _local(on, 7, rng.randint(0, 89), tz)
    add("pain_logs", at, {"recorded_at": at.isoformat(), "score": score, "context": "morning"})
    exercises = exercises_on(definition, day)
    if exercises:
        sessions = rng.choice((1, 1, 2))
        for n in range(sessions):
            ex = exercises[n % len(exercises)]
            at = _local(on, 17 + n, rng.randint(0, 59), tz)
            add(
                "exercise_logs",
                at,
                {
                    "performed_at": at.isoformat(),
                    "exercise": ex["code"],
                    "sets": ex["sets"],
                    "reps": ex["reps"],
                    "completed": True,
                    # Within the pain-monitoring model's "acceptable" band: the
                    # simulated cohort does not overload (no guardrail noise).
                    "pain_during": max(0, min(5, score - 1)),
                },
            )
    if _visa_a_due(definition, day):
        at = _local(on, 20, rng.randint(0, 59), tz)
        add("visa_a", at, {"completed_at": at.isoformat(), **visa_a_answers(expected_visa_a(p, day))})
    return out


def _visa_a_due(definition: ProtocolDefinition, day: int) -> bool:
    """One questionnaire in each window that asks for it: day 2 of a baseline, 5 days before a window ends."""
    for m in definition.milestones:
        if not m.request_visa_a:
            continue
        target = m.window_start_day + 2 if m.kind == "baseline" else m.window_end_day - 5
        if day == target:
            return True
    return False


def improves_by(p: Profile, milestone_code: str) -> bool | None:
    """The truth at a judged milestone: True improved/recovered, False not, None not judgeable (silent)."""
    if p.course is Course.SILENT:
        return None
    return p.course is Course.IMPROVING
