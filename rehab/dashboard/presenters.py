"""Alerts' evidence as a sentence a physio reads at a glance.

Each alert code stores its evidence as data (the rules that raise them, in
rehab.rules); this turns each shape back into words, with the numbers the
rule compared. Review judgements need the protocol version's rules to say
what the bar was, so the caller passes them (None when the alert has no
milestone). An unknown code, or evidence of an older shape, falls back to
the alert's generated reason rather than failing the page.

Time reads as on the rest of the dashboard: a patient's date (a medication's
day, an event's date) as a date in words; a patient's log at an instant by
its day in the patient's zone, then the instant in the clinic's zone with the
zone named (an evening report in New York is already the next day in UTC).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from rehab.alerts.models import Alert
from rehab.care import measures

TIERS = {"emergency": "emergency", "same_day": "same day", "next_working_day": "next working day"}


def instant_in(value: str | datetime | None, zone: ZoneInfo) -> str:
    """An instant in the clinic's zone, with the zone's abbreviation: "2026-06-15 11:00 BST"."""
    if value is None:
        return "never"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def local_date(value: str | date | None) -> str:
    """A date as people write it: "1 Dec 2026" (evidence keeps ISO text)."""
    if value is None:
        return "an unknown date"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value:%b %Y}"


@dataclass(frozen=True)
class Zones:
    clinic: ZoneInfo
    patient: ZoneInfo

    def moment(self, value: str | datetime) -> str:
        """A patient's log by its local day, then the instant in the clinic's zone.

        "on 14 Jun 2026 at 19:00 BST" when both read the same day; else the
        patient's day is named as theirs: "on 30 Nov 2026, the patient's day
        (2026-12-01 00:00 UTC)".
        """
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        day, seen = value.astimezone(self.patient).date(), value.astimezone(self.clinic)
        if seen.date() == day:
            return f"on {local_date(day)} at {seen:%H:%M %Z}"
        return f"on {local_date(day)}, the patient's day ({instant_in(value, self.clinic)})"


def _n(value) -> str:
    """A measure with one decimal, as the reasons print them."""
    return f"{float(value):.1f}"


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ")


def _review(e: Mapping, rules: Mapping | None, zones: Zones) -> str:
    if "decided_by" in e and "current_pain" not in e:
        return f"recorded as not improved at the review by {e.get('decided_by_name') or 'a physiotherapist'}"
    parts = []
    base, current = e.get("baseline_pain"), e.get("current_pain")
    if current is None:
        parts.append("no pain measure at the review (too few days logged)")
    elif base is None:
        parts.append(f"pain {_n(current['value'])} at the review, no baseline to compare")
    else:
        verdict = "lower enough" if e.get("pain_improved") else _pain_bar(rules, base["value"])
        parts.append(f"pain {_n(current['value'])} at the review vs baseline {_n(base['value'])}: {verdict}")
    visa_base, visa_now = e.get("visa_a_baseline"), e.get("visa_a_current")
    if visa_base and visa_now:
        points = "" if rules is None else f" {int(rules['visa_a_improvement_points'])} points"
        verdict = "higher enough" if e.get("visa_a_improved") else f"not{points} higher"
        parts.append(f"VISA-A {visa_now['score']} vs baseline {visa_base['score']}: {verdict}")
    elif visa_now is None:
        parts.append("no VISA-A in the review window")
    return "; ".join(parts)


def _pain_bar(rules: Mapping | None, baseline) -> str:
    if rules is None:
        return "not lower enough"
    points = float(rules["pain_improvement_points"])
    fraction = float(rules["pain_improvement_fraction"])
    # The bar from the rounded baseline the evidence keeps: close enough to read, the judgement used the exact one.
    bar = measures.pain_improvement_threshold(rules=rules, baseline=Fraction(str(baseline)))
    return f"not {points:g} points and {fraction:.0%} lower ({_n(bar)} or less needed)"


def _recovery(e: Mapping, rules: Mapping | None, zones: Zones) -> str:
    parts = []
    pain, visa = e.get("current_pain"), e.get("visa_a_current")
    bar = "" if rules is None else f" (recovered at {rules['recovered_pain_max']} or less)"
    parts.append("no pain measure" if pain is None else f"pain {_n(pain['value'])}{bar}")
    bar = "" if rules is None else f" (recovered at {rules['recovered_visa_a_min']} or more)"
    parts.append("no VISA-A" if visa is None else f"VISA-A {visa['score']}{bar}")
    return "; ".join(parts)


def _no_recent_logs(e: Mapping, rules, zones: Zones) -> str:
    last = e.get("last_log_at")
    since = "nothing ever logged" if last is None else f"last log {zones.moment(last)}"
    return f"nothing logged for {e['days_without_logs']} days or more; {since}"


def _red_flag(e: Mapping, rules, zones: Zones) -> str:
    symptoms = ", ".join(_words(s) for s in e.get("symptoms", [])) or "symptoms"
    care = _words(e.get("care", "")) or "care"
    tier = TIERS.get(e.get("tier"), _words(e.get("tier", "")))
    return f"{symptoms} reported {zones.moment(e['reported_at'])} during {care} care: {tier} tier"


def _corticosteroid(e: Mapping, rules, zones: Zones) -> str:
    when = "planned for" if e.get("planned") else "recorded on"
    return f"corticosteroid injection at the {_words(e.get('site', 'unknown'))} site {when} {local_date(e['date'])}"


def _nsaid_kidney(e: Mapping, rules, zones: Zones) -> str:
    return f"NSAID ({e.get('route')}) taken on {local_date(e['taken_on'])} by a patient with kidney disease"


def _nsaid_long_term(e: Mapping, rules, zones: Zones) -> str:
    limits = e.get("limits", {})
    return (
        f"NSAIDs {e['consecutive_days']} days in a row (limit {limits.get('consecutive_days')}), "
        f"{e['days_in_window']} of {e['window_days']} days (limit {limits.get('days_in_window')}), "
        f"{local_date(e['first_day'])} to {local_date(e['last_day'])}"
    )


def _ho_referral(e: Mapping, rules, zones: Zones) -> str:
    scan = e.get("last_bone_scan")
    seen = (
        "no bone scan recorded"
        if scan is None
        else f"last bone scan {local_date(scan['date'])}: {scan.get('ho_maturity')}"
    )
    return f"surgical referral dated {local_date(e['referral_date'])}; {seen}"


def _pain_spike(e: Mapping, rules, zones: Zones) -> str:
    rise = Fraction(str(e["score"])) - Fraction(str(e["mean_7d"]))
    basis = "" if e.get("basis") != "all_contexts" else " (all contexts)"
    return (
        f"pain {e['score']} ({_words(e.get('context', ''))}) {zones.moment(e['recorded_at'])} vs "
        f"the {e.get('window_days', 7)}-day mean {_n(e['mean_7d'])}{basis} of {e['entries_7d']} entries: "
        f"{_n(rise)} higher"
    )


def _exercise_pain(e: Mapping, rules, zones: Zones) -> str:
    return f"pain {e['pain_during']} during {_words(e['exercise'])}, above the limit of {e['limit']}"


def _morning_pain(e: Mapping, rules, zones: Zones) -> str:
    days = e.get("window_days", 7)
    rise = Fraction(str(e["mean_7d"])) - Fraction(str(e["mean_previous_7d"]))
    return (
        f"morning pain {days}-day mean {_n(e['mean_7d'])} vs {_n(e['mean_previous_7d'])} "
        f"the {days} days before: {_n(rise)} higher"
    )


SENTENCES: dict[str, Callable[[Mapping, Mapping | None, Zones], str]] = {
    "review_not_improved": _review,
    "review_not_judgeable": _review,
    "not_recovered_6_months": _recovery,
    "no_recent_logs": _no_recent_logs,
    "red_flag_emergency": _red_flag,
    "red_flag_same_day": _red_flag,
    "red_flag_next_day": _red_flag,
    "corticosteroid_injection": _corticosteroid,
    "nsaid_kidney_disease": _nsaid_kidney,
    "nsaid_long_term": _nsaid_long_term,
    "ho_referral_without_maturity": _ho_referral,
    "pain_spike": _pain_spike,
    "exercise_pain_high": _exercise_pain,
    "morning_pain_rising": _morning_pain,
}


def evidence_sentence(alert: Alert, *, rules: Mapping | None, zone: ZoneInfo) -> str:
    """The alert's evidence in one sentence (capitalised), or its reason when the evidence cannot be read.

    `zone` is the clinic's; the patient's comes with the alert (alerts are read with their patient).
    """
    sentence_of = SENTENCES.get(alert.code)
    if sentence_of is None:
        return alert.reason
    evidence = dict(alert.evidence or {})
    decided_by = alert.milestone.decided_by if alert.milestone_id and "decided_by" in evidence else None
    if decided_by is not None:  # a physio's own outcome: named as on the timeline
        evidence["decided_by_name"] = decided_by.display_name or decided_by.username
    try:
        sentence = sentence_of(evidence, rules, Zones(clinic=zone, patient=ZoneInfo(alert.patient.timezone)))
    except (KeyError, TypeError, ValueError):  # evidence of an older shape: the reason still says it
        return alert.reason
    return sentence[:1].upper() + sentence[1:] + "."
