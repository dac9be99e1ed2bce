"""Section 4's load guardrails: pain spikes, exercise pain, morning pain rising.

Both pain rules judge a new entry against what the patient logged before it:
the 7-day mean of its context (or of every context) and the morning means of
two weeks. They read that answer, counts and sums worked out by the database
(rehab.logs.selectors.pain_windows), not the entries: one statement for every
entry of a request or a batch, with a bounded answer whatever the history.
The windows are bounded here, with the same predicates the rules have always
used: the spike window is the instants `since <= recorded_at < the entry's`
(a late entry counts at its own time, not at its arrival), the morning weeks
are local dates.

Each rule is a finding (what would be raised, or nothing) and a check that
raises it, so the log service can tell before storing an entry whether it
raises anything (rehab.rules.services.safety.arrival_raises).
"""

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.logs.models import ExerciseLog, PainLog
from rehab.logs.selectors import PainWindow, PainWindowAsk, pain_windows
from rehab.rules.services.safety.context import SafetyContext


@dataclass(frozen=True)
class Finding:
    """An alert a rule would raise: what alert_raise is given."""

    code: str
    reason: str
    evidence: dict
    severity: str | None = None

    def raise_alert(self, ctx: SafetyContext) -> Alert:
        extra = {} if self.severity is None else {"severity": self.severity}
        alert, _ = alert_raise(patient=ctx.patient, code=self.code, reason=self.reason, evidence=self.evidence, **extra)
        return alert


def pain_window_ask(ctx: SafetyContext, log: PainLog) -> PainWindowAsk | None:
    """The windows of one entry by its protocol version's rules; None when not enrolled (the rules judge nothing)."""
    if ctx.enrollment is None:
        return None
    spike = timedelta(days=int(ctx.rule("pain_spike_window_days")))
    week = timedelta(days=int(ctx.rule("morning_pain_window_days")))
    day = log.local_date
    return PainWindowAsk(
        patient_id=log.patient_id,
        recorded_at=log.recorded_at,
        context=log.context,
        spike_since=log.recorded_at - spike,
        morning=log.context == PainLog.Context.MORNING,
        morning_after=day - 2 * week,
        week_after=day - week,
        morning_until=day,
    )


def pain_windows_of(judged: list[tuple[SafetyContext, PainLog]], *, stored: bool = True) -> list[PainWindow | None]:
    """Each entry's window answer (one read for all); None for an entry of a patient not enrolled.

    `stored=False`: the entries are not in the table yet (judged before storing), so each counts itself
    in its own morning week, as a stored one does. Such entries must not see each other: one at a time.
    """
    asks = [pain_window_ask(ctx, log) for ctx, log in judged]
    answers = iter(pain_windows([ask for ask in asks if ask is not None]))
    windows = []
    for (_, log), ask in zip(judged, asks, strict=True):
        window = None if ask is None else next(answers)
        if window is not None and not stored and ask.morning:
            window = window._replace(
                this_week_count=window.this_week_count + 1, this_week_sum=window.this_week_sum + log.score
            )
        windows.append(window)
    return windows


def _num(value: Fraction) -> float:
    return round(float(value), 2)


def pain_spike_finding(ctx: SafetyContext, log: PainLog, window: PainWindow | None) -> Finding | None:
    """An entry 3+ above the 7-day mean of its context (all contexts while that one has too few entries).

    Evidence keys keep their "_7d" names (the default week) whatever the version's window, named in `window_days`.
    """
    if ctx.enrollment is None or window is None:
        return None
    days = int(ctx.rule("pain_spike_window_days"))
    if window.same_context_count >= int(ctx.rule("pain_spike_min_context_entries")):
        basis, count, total = "context", window.same_context_count, window.same_context_sum
    else:
        basis, count, total = "all_contexts", window.any_context_count, window.any_context_sum
    if not count:
        return None
    mean = Fraction(total, count)
    if log.score - mean < Fraction(str(ctx.rule("pain_spike_points"))):
        return None
    evidence = {
        "pain_log": log.pk,
        "score": log.score,
        "context": log.context,
        "recorded_at": log.recorded_at.isoformat(),
        "mean_7d": _num(mean),
        "entries_7d": count,
        "window_days": days,
        "basis": basis,
    }
    reason = (
        f"Pain {log.score}/10 ({log.context}) is {_num(log.score - mean)} above the {days}-day mean of {_num(mean)}."
    )
    severity = Alert.Severity.URGENT if ctx.after_surgery else Alert.Severity.ROUTINE
    return Finding("pain_spike", reason, evidence, severity)


def morning_pain_finding(ctx: SafetyContext, log: PainLog, window: PainWindow | None) -> Finding | None:
    """The 7-day mean of morning pain 1+ above the previous 7 days' (Silbernagel's pain-monitoring model).

    The week is the version's `morning_pain_window_days`; evidence keys keep their "_7d" names. The entry
    itself counts in its week (the window of a stored entry holds it).
    """
    if log.context != PainLog.Context.MORNING or ctx.enrollment is None or window is None:
        return None
    if not window.this_week_count or not window.week_before_count:
        return None
    this_week = Fraction(window.this_week_sum, window.this_week_count)
    week_before = Fraction(window.week_before_sum, window.week_before_count)
    if this_week - week_before < Fraction(str(ctx.rule("morning_pain_rise"))):
        return None
    days = int(ctx.rule("morning_pain_window_days"))
    evidence = {
        "mean_7d": _num(this_week),
        "mean_previous_7d": _num(week_before),
        "entries_7d": window.this_week_count,
        "entries_previous_7d": window.week_before_count,
        "window_days": days,
        "to": log.local_date.isoformat(),
    }
    reason = (
        f"Morning pain is rising: {days}-day mean {evidence['mean_7d']} against "
        f"{evidence['mean_previous_7d']} the {days} days before."
    )
    return Finding("morning_pain_rising", reason, evidence)


def exercise_pain_finding(ctx: SafetyContext, log: ExerciseLog) -> Finding | None:
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
    return Finding("exercise_pain_high", reason, evidence)


def pain_findings(ctx: SafetyContext, log: PainLog, window: PainWindow | None) -> list[Finding]:
    found = [pain_spike_finding(ctx, log, window), morning_pain_finding(ctx, log, window)]
    return [finding for finding in found if finding is not None]
