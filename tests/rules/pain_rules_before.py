"""The pain rules as they were before they read an answer (rev f766d0c): the reference for the differential test.

Kept word for word where it judges: the stored entries read by local date
around the new one, then each rule picks its window from them in Python. Only
the ending differs: it returns what it would raise (code, reason, evidence,
severity) instead of raising it, so the test can compare it with what the new
rules raised.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import NamedTuple

from django.db import connection

from rehab.alerts.models import Alert
from rehab.logs.models import PainLog
from rehab.rules.services.safety.context import SafetyContext

DATE_MARGIN_DAYS = 2


class PainEntry(NamedTuple):
    pk: int
    recorded_at: datetime
    local_date: date
    context: str
    score: int


def recent_pain_entries(patient_ids, *, any_context_from: date, morning_from: date, until: date):
    ids = list(patient_ids)
    sql = (
        f"SELECT patient_id, id, recorded_at, local_date, context, score FROM {PainLog._meta.db_table} "
        f"WHERE patient_id IN ({', '.join(['%s'] * len(ids))}) AND local_date >= %s AND local_date <= %s "
        "AND (local_date >= %s OR context = %s)"
    )
    params = [*ids, min(any_context_from, morning_from), until, any_context_from, PainLog.Context.MORNING.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_patient = defaultdict(list)
    for patient_id, pk, recorded_at, local_date, context, score in rows:
        at = recorded_at if recorded_at.tzinfo else recorded_at.replace(tzinfo=UTC)
        by_patient[patient_id].append(PainEntry(pk, at, local_date, context, score))
    return by_patient


def recent_pain_around(ctx: SafetyContext, log: PainLog) -> list[PainEntry]:
    if ctx.enrollment is None:
        return []
    any_context = int(ctx.rule("pain_spike_window_days")) + DATE_MARGIN_DAYS
    morning = 2 * int(ctx.rule("morning_pain_window_days")) + DATE_MARGIN_DAYS
    found = recent_pain_entries(
        [log.patient_id],
        any_context_from=log.local_date - timedelta(days=any_context),
        morning_from=log.local_date - timedelta(days=morning),
        until=log.local_date + timedelta(days=DATE_MARGIN_DAYS),
    )
    return found[log.patient_id]


def _mean(scores: list[int]) -> Fraction:
    return Fraction(sum(scores), len(scores))


def _num(value: Fraction) -> float:
    return round(float(value), 2)


def pain_spike_check(ctx: SafetyContext, log: PainLog, recent: list[PainEntry]):
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
    return ("pain_spike", reason, evidence, severity)


def morning_pain_check(ctx: SafetyContext, log: PainLog, recent: list[PainEntry]):
    if log.context != PainLog.Context.MORNING or ctx.enrollment is None:
        return None
    day, week = log.local_date, timedelta(days=int(ctx.rule("morning_pain_window_days")))
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
    return ("morning_pain_rising", reason, evidence, None)  # no severity given: the code's own


def findings_of_stored(ctx: SafetyContext, log: PainLog) -> list[tuple]:
    """What the old rules raised for a stored entry, judged as log_received judged it."""
    recent = recent_pain_around(ctx, log)
    found = [pain_spike_check(ctx, log, recent), morning_pain_check(ctx, log, recent)]
    return [f for f in found if f is not None]
