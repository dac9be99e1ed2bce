"""Section 4 of the clinical spec: baselines, the pain measure, and what "improved" means.

Pure functions over per-day pain means and VISA-A scores; the loaders that
feed them in a fixed number of queries are in rehab/selectors/measures.py.
Arithmetic is exact (Fraction): "2 points and 30% below baseline" must not
flip on a float's last bit.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

IMPROVED, NOT_IMPROVED, NOT_JUDGEABLE = "met", "not_met", "not_judgeable"


@dataclass(frozen=True)
class PainMeasure:
    value: Fraction  # mean over the days with entries of each day's mean score
    days: int  # days with entries
    first: date
    last: date

    def as_evidence(self) -> dict:
        return {"value": round(float(self.value), 2), "days": self.days, "from": str(self.first), "to": str(self.last)}


@dataclass(frozen=True)
class VisaA:
    local_date: date
    score: int

    def as_evidence(self) -> dict:
        return {"score": self.score, "date": str(self.local_date)}


@dataclass(frozen=True)
class Judgement:
    outcome: str  # IMPROVED, NOT_IMPROVED or NOT_JUDGEABLE
    evidence: dict


def pain_measure(daily: Mapping[date, Fraction], first: date, last: date, *, min_days: int) -> PainMeasure | None:
    """The pain measure over [first, last]; None with fewer than `min_days` days with entries."""
    days = sorted(d for d in daily if first <= d <= last)
    if len(days) < max(min_days, 1):
        return None
    return PainMeasure(sum((daily[d] for d in days), Fraction(0)) / len(days), len(days), days[0], days[-1])


def pain_baseline(
    daily: Mapping[date, Fraction], window_start: date, window_end: date, *, min_days: int, fallback_days: int
) -> PainMeasure | None:
    """Pain over the baseline window; if too few days there, the first `min_days` days with entries after it."""
    measure = pain_measure(daily, window_start, window_end, min_days=min_days)
    if measure is not None:
        return measure
    later = sorted(d for d in daily if window_end < d <= window_end + timedelta(days=fallback_days))[:min_days]
    if len(later) < min_days:
        return None
    return PainMeasure(sum((daily[d] for d in later), Fraction(0)) / len(later), len(later), later[0], later[-1])


def visa_a_baseline(responses: Iterable[VisaA], window_start: date, window_end: date, *, fallback_days: int):
    """The first VISA-A in the baseline window or the `fallback_days` after it (responses in completion order)."""
    last = window_end + timedelta(days=fallback_days)
    inside = [r for r in responses if window_start <= r.local_date <= last]
    return min(inside, key=lambda r: r.local_date, default=None)


def visa_a_latest(responses: Iterable[VisaA], first: date, last: date) -> VisaA | None:
    """The last VISA-A in [first, last]; `responses` come in the order they were completed.

    Two on one day are told apart only by that order, so a later one wins a tie
    (max() would keep the first).
    """
    latest = None
    for r in responses:
        if first <= r.local_date <= last and (latest is None or r.local_date >= latest.local_date):
            latest = r
    return latest


def pain_improvement_threshold(*, rules: Mapping, baseline: Fraction) -> Fraction:
    """The highest pain measure that counts as improved: the points AND the fraction below baseline.

    A drop of at least p points and at least f of the baseline is a measure at
    most min(baseline - p, (1 - f) x baseline): the line the charts draw is the
    judgement's own bar.
    """
    points = Fraction(str(rules["pain_improvement_points"]))
    fraction = Fraction(str(rules["pain_improvement_fraction"]))
    return min(baseline - points, baseline * (1 - fraction))


def visa_a_improvement_target(*, rules: Mapping, baseline: int) -> int:
    """The lowest VISA-A score that counts as improved on this baseline."""
    return baseline + int(rules["visa_a_improvement_points"])


def judge_improvement(
    *,
    rules: Mapping,
    baseline_pain: PainMeasure | None,
    current_pain: PainMeasure | None,
    baseline_visa_a: VisaA | None,
    current_visa_a: VisaA | None,
) -> Judgement:
    """Improved if pain fell by both the points and the fraction, or VISA-A rose enough."""
    pain_improved = visa_improved = None
    if baseline_pain and current_pain:
        pain_improved = current_pain.value <= pain_improvement_threshold(rules=rules, baseline=baseline_pain.value)
    if baseline_visa_a and current_visa_a:
        visa_improved = current_visa_a.score >= visa_a_improvement_target(rules=rules, baseline=baseline_visa_a.score)
    if pain_improved or visa_improved:
        outcome = IMPROVED
    elif pain_improved is None and visa_improved is None:
        outcome = NOT_JUDGEABLE  # never passes silently as improved, never refers
    else:
        outcome = NOT_IMPROVED
    return Judgement(
        outcome,
        {
            "outcome": outcome,
            "baseline_pain": baseline_pain.as_evidence() if baseline_pain else None,
            "current_pain": current_pain.as_evidence() if current_pain else None,
            "visa_a_baseline": baseline_visa_a.as_evidence() if baseline_visa_a else None,
            "visa_a_current": current_visa_a.as_evidence() if current_visa_a else None,
            "pain_improved": pain_improved,
            "visa_a_improved": visa_improved,
        },
    )


def judge_recovery(*, rules: Mapping, current_pain: PainMeasure | None, current_visa_a: VisaA | None) -> Judgement:
    """Recovered: VISA-A at or above the bar, or the pain measure at or below it."""
    visa_ok = None if current_visa_a is None else current_visa_a.score >= int(rules["recovered_visa_a_min"])
    pain_ok = None if current_pain is None else current_pain.value <= Fraction(str(rules["recovered_pain_max"]))
    if visa_ok or pain_ok:
        outcome = IMPROVED
    elif visa_ok is None and pain_ok is None:
        outcome = NOT_JUDGEABLE
    else:
        outcome = NOT_IMPROVED
    return Judgement(
        outcome,
        {
            "outcome": outcome,
            "current_pain": current_pain.as_evidence() if current_pain else None,
            "visa_a_current": current_visa_a.as_evidence() if current_visa_a else None,
            "pain_recovered": pain_ok,
            "visa_a_recovered": visa_ok,
        },
    )
