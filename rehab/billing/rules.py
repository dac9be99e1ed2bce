"""The codes a period's data days or a month's minutes earn, and what is still missing, under one rule set.

Pure functions over a RuleSet row: every threshold comes from the row (migration 0002 seeds CPT 2025
and 2026), so the same code gives 2025's answer for a 2025 date of service. A band whose code is blank
does not exist under that rule set.
"""

from dataclasses import dataclass
from datetime import date

from rehab.billing.models import RuleSet


def rule_set_on(rule_sets: list[RuleSet], day: date) -> RuleSet:
    """The rule set in force on a date of service: the latest that starts on or before it."""
    in_force = [rules for rules in rule_sets if rules.effective_from <= day]
    if not in_force:
        raise LookupError(f"No RTM rule set covers {day.isoformat()}.")
    return max(in_force, key=lambda rules: rules.effective_from)


@dataclass(frozen=True)
class Band:
    threshold: int
    code: str


def supply_bands(rules: RuleSet) -> list[Band]:
    """Device-supply bands, lowest first (one code per period: the highest reached)."""
    bands = [Band(rules.supply_high_days, rules.supply_high_code)]
    if rules.supply_low_code:
        bands.insert(0, Band(rules.supply_low_days, rules.supply_low_code))
    return bands


def supply_codes(rules: RuleSet, *, data_days: int, first_period: bool) -> list[str]:
    """The supply code of a period (at most one), and 98975 when it is the episode's first and reached it."""
    reached = [band.code for band in supply_bands(rules) if data_days >= band.threshold]
    codes = reached[-1:]
    if first_period and data_days >= rules.setup_days:
        codes.append(rules.setup_code)
    return codes


def supply_next(rules: RuleSet, *, data_days: int, first_period: bool, days_left: int) -> tuple[int, list[str]] | None:
    """The nearest band (supply, or set-up on the first period) the period can still reach: days needed, codes."""
    targets: dict[int, list[str]] = {}
    for band in supply_bands(rules):
        if data_days < band.threshold:
            targets.setdefault(band.threshold, []).append(band.code)
    if first_period and data_days < rules.setup_days:
        targets.setdefault(rules.setup_days, []).append(rules.setup_code)
    for threshold in sorted(targets):
        if threshold - data_days <= days_left:
            return threshold - data_days, targets[threshold]
    return None


def supply_missing(needed: int, codes: list[str], *, period_end: date) -> str:
    word = "data day" if needed == 1 else "data days"
    return f"{needed} more {word} by {_day_month(period_end)} for {_codes(codes)}"


def management_codes(rules: RuleSet, *, minutes: int, interactive: bool) -> list[str]:
    """The treatment-management codes of a month: nothing without a live call where the rules need one."""
    if rules.management_needs_interactive and not interactive:
        return []
    if minutes >= rules.management_minutes:
        extra = (minutes - rules.management_minutes) // rules.management_extra_minutes
        return [rules.management_code] + [rules.management_extra_code] * extra
    if rules.management_low_code and minutes >= rules.management_low_minutes:
        return [rules.management_low_code]
    return []


def _next_management_band(rules: RuleSet, minutes: int) -> Band:
    if rules.management_low_code and minutes < rules.management_low_minutes:
        return Band(rules.management_low_minutes, rules.management_low_code)
    if minutes < rules.management_minutes:
        return Band(rules.management_minutes, rules.management_code)
    blocks = (minutes - rules.management_minutes) // rules.management_extra_minutes + 1
    return Band(rules.management_minutes + blocks * rules.management_extra_minutes, rules.management_extra_code)


def management_missing(rules: RuleSet, *, minutes: int, interactive: bool) -> list[str]:
    """What the month still needs: a call for the band its minutes reached, and the next band."""
    needs_call = rules.management_needs_interactive and not interactive
    sentences = []
    reached = management_codes(rules, minutes=minutes, interactive=True)
    if needs_call and reached:
        sentences.append(f"a call for {_codes(reached)}")
    band = _next_management_band(rules, minutes)
    needed = band.threshold - minutes
    word = "minute" if needed == 1 else "minutes"
    sentences.append(f"{needed} more {word}{' and a call' if needs_call else ''} for {band.code}")
    return sentences


def _day_month(day: date) -> str:
    return f"{day.day} {day:%b}"


def _codes(codes: list[str]) -> str:
    distinct = list(dict.fromkeys(codes))
    counted = [f"{code} x{codes.count(code)}" if codes.count(code) > 1 else code for code in distinct]
    return " and ".join(counted)
