"""Section 4's load guardrails: pain spikes, exercise pain, morning pain rising.

Both pain rules judge a new entry against the patient's recent entries. Those
are read once, by local date, for every entry of a request or a batch (one
query for a thousand patients' entries as for one), and each rule then picks
its own window from them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.logs.models import ExerciseLog, PainLog
from rehab.logs.selectors import PainEntry, recent_pain_entries
from rehab.rules.services.safety.context import SafetyContext

# Local dates of one patient's entries can be a day off their instants' after a
# change of time zone; a window read by local date reaches this much further.
DATE_MARGIN_DAYS = 2


@dataclass(frozen=True)
class PainReach:
    """How many local days before an entry's own each rule looks at: any context, and morning entries."""

    any_context: int
    morning: int

    @classmethod
    def of(cls, ctx: SafetyContext) -> "PainReach":
        return cls(
            any_context=int(ctx.rule("pain_spike_window_days")) + DATE_MARGIN_DAYS,
            morning=2 * int(ctx.rule("morning_pain_window_days")) + DATE_MARGIN_DAYS,
        )


def recent_pain(patient_ids: Iterable[int], *, first: date, last: date, reach: PainReach) -> dict[int, list[PainEntry]]:
    """The stored pain entries of these patients that the rules may need for entries dated first..last (one read)."""
    return recent_pain_entries(
        patient_ids,
        any_context_from=first - timedelta(days=reach.any_context),
        morning_from=first - timedelta(days=reach.morning),
        until=last + timedelta(days=DATE_MARGIN_DAYS),
    )


def recent_pain_around(ctx: SafetyContext, log: PainLog) -> list[PainEntry]:
    """What the pain rules need to judge one new entry."""
    if ctx.enrollment is None:
        return []
    found = recent_pain([log.patient_id], first=log.local_date, last=log.local_date, reach=PainReach.of(ctx))
    return found[log.patient_id]


def _mean(scores: list[int]) -> Fraction:
    return Fraction(sum(scores), len(scores))


def _num(value: Fraction) -> float:
    return round(float(value), 2)


def pain_spike_check(ctx: SafetyContext, log: PainLog, recent: list[PainEntry]) -> Alert | None:
    """An entry 3+ above the 7-day mean of its context (all contexts while that one has too few entries).

    Evidence keys keep their "_7d" names (the default week) whatever the version's window, named in `window_days`.
    """
    if ctx.enrollment is None:
        return None
    window = timedelta(days=int(ctx.rule("pain_spike_window_days")))
    since = log.recorded_at - window
    entries = [(e.context, e.score) for e in recent if since <= e.recorded_at < log.recorded_at and e.pk != log.pk]
    same = [score for context, score in entries if context == log.context]
    if len(same) >= int(ctx.rule("pain_spike_min_context_entries")):
        basis, scores = "context", same
    else:
        basis, scores = "all_contexts", [score for _, score in entries]
    if not scores:
        return None
    mean = _mean(scores)
    if log.score - mean < Fraction(str(ctx.rule("pain_spike_points"))):
        return None
    severity = Alert.Severity.URGENT if ctx.after_surgery else Alert.Severity.ROUTINE
    evidence = {
        "pain_log": log.pk,
        "score": log.score,
        "context": log.context,
        "recorded_at": log.recorded_at.isoformat(),
        "mean_7d": _num(mean),
        "entries_7d": len(scores),
        "window_days": window.days,
        "basis": basis,
    }
    reason = (
        f"Pain {log.score}/10 ({log.context}) is {_num(log.score - mean)} above the {window.days}-day mean "
        f"of {_num(mean)}."
    )
    alert, _ = alert_raise(patient=ctx.patient, code="pain_spike", reason=reason, evidence=evidence, severity=severity)
    return alert


def exercise_pain_check(ctx: SafetyContext, log: ExerciseLog) -> Alert | None:
    limit = ctx.rule("exercise_pain_max", None)
    if log.pain_during is None or limit is None or log.pain_during <= int(limit):
        return None
    evidence = {
        "exercise_log": log.pk,
        "exercise": log.exercise,
        "pain_during": log.pain_during,
        "limit": int(limit),
        "performed_at": log.performed_at.isoformat(),
    }
    reason = f"Pain {log.pain_during}/10 during {log.exercise}: above {limit}, the patient was told to reduce the load."
    alert, _ = alert_raise(patient=ctx.patient, code="exercise_pain_high", reason=reason, evidence=evidence)
    return alert


def morning_pain_check(ctx: SafetyContext, log: PainLog, recent: list[PainEntry]) -> Alert | None:
    """The 7-day mean of morning pain 1+ above the previous 7 days' (Silbernagel's pain-monitoring model).

    The week is the version's `morning_pain_window_days`; evidence keys keep their "_7d" names.
    """
    if log.context != PainLog.Context.MORNING or ctx.enrollment is None:
        return None
    day, week = log.local_date, timedelta(days=int(ctx.rule("morning_pain_window_days")))
    # The entry itself counts (it is in `recent` once stored, and added here if the caller read before).
    mornings = {e.pk: (e.local_date, e.score) for e in recent if e.context == PainLog.Context.MORNING}
    mornings[log.pk] = (log.local_date, log.score)
    rows = [(d, s) for d, s in mornings.values() if day - 2 * week < d <= day]
    this_week = [s for d, s in rows if d > day - week]
    week_before = [s for d, s in rows if d <= day - week]
    if not this_week or not week_before:
        return None
    rise = _mean(this_week) - _mean(week_before)
    if rise < Fraction(str(ctx.rule("morning_pain_rise"))):
        return None
    evidence = {
        "mean_7d": _num(_mean(this_week)),
        "mean_previous_7d": _num(_mean(week_before)),
        "entries_7d": len(this_week),
        "entries_previous_7d": len(week_before),
        "window_days": week.days,
        "to": day.isoformat(),
    }
    reason = (
        f"Morning pain is rising: {week.days}-day mean {evidence['mean_7d']} against "
        f"{evidence['mean_previous_7d']} the {week.days} days before."
    )
    alert, _ = alert_raise(patient=ctx.patient, code="morning_pain_rising", reason=reason, evidence=evidence)
    return alert
