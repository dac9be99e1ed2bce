"""The RTM ledger: per patient and month, the figures, the codes earned and what is still missing.

A month is a calendar month in the clinic's time zone. Its row holds the device-supply periods that
overlap it (a period's codes belong to the month of its last day, the date of service), the month's
treatment-management minutes and whether a live call happened, and the codes. A closed month answers
its frozen rows (rehab.billing.services.months) with what arrived after the close listed beside them.
Every figure comes from rehab.billing.selectors.figures, one statement for the whole clinic.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection

from config import clock
from patients.models import Clinic
from rehab.billing import rules as cpt
from rehab.billing.models import ClinicBillingSettings, ClosedRow, MonthClose, RuleSet
from rehab.billing.selectors.figures import PatientFigures, PeriodFigures, month_figures
from rehab.billing.selectors.figures_portable import month_figures_portable


@dataclass(frozen=True)
class Month:
    first: date
    last: date
    starts_at: datetime  # the clinic's local midnight, as UTC
    ends_at: datetime

    @classmethod
    def of(cls, first: date, *, time_zone: str) -> "Month":
        first = first.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return cls(
            first=first,
            last=last,
            starts_at=clock.local_instant(first, time(0, 0), time_zone),
            ends_at=clock.end_of_local_day(last, time_zone),
        )


def month_of(clinic: Clinic, *, at: datetime | None = None) -> date:
    """The clinic's current billing month (its first day)."""
    return clock.local_today(clinic.time_zone, at=at).replace(day=1)


def data_day_rule_of(clinic: Clinic) -> str:
    chosen = ClinicBillingSettings.objects.filter(clinic=clinic).values_list("data_day_rule", flat=True).first()
    return chosen or ClinicBillingSettings.DataDayRule.ANY_LOG


def clinic_month_rows(
    *, clinic: Clinic, month: date, patient_ids: list[int] | None = None, live: bool = False
) -> list[dict]:
    """The month's rows of every patient with an RTM episode in it (or of the patients given).

    `live` computes a closed month afresh (what closing it freezes) instead of reading the frozen rows.
    """
    span = Month.of(month, time_zone=clinic.time_zone)
    closed = None if live else MonthClose.objects.filter(clinic=clinic, month=span.first).first()
    rule_sets = list(RuleSet.objects.all())
    month_rules = cpt.rule_set_on(rule_sets, span.first)
    now = clock.now()
    # The embedded SQLite default has no generate_series or AT TIME ZONE: the portable, slower way.
    compute = month_figures if connection.vendor == "postgresql" else month_figures_portable
    figures = compute(
        clinic_id=clinic.pk,
        data_day_rule=data_day_rule_of(clinic),
        month=span.first,
        month_end=span.last,
        month_from=span.starts_at,
        month_until=span.ends_at,
        now=now,
        period_days=month_rules.period_days,
        patient_ids=patient_ids,
    )
    clinic_today = clock.local_today(clinic.time_zone, at=now)
    if closed is None:
        return [_row(f, span=span, rule_sets=rule_sets, clinic_today=clinic_today) for f in figures]
    return _frozen_rows(closed, figures=figures, patient_ids=patient_ids)


def _frozen_rows(closed: MonthClose, *, figures: list[PatientFigures], patient_ids: list[int] | None) -> list[dict]:
    late = {f.patient_id: f for f in figures}
    stored = ClosedRow.objects.filter(close=closed).order_by("figures__patient__display_name", "patient_id")
    if patient_ids is not None:
        stored = stored.filter(patient_id__in=patient_ids)
    rows = []
    for closed_row in stored:
        row = dict(closed_row.figures)
        after = late.get(closed_row.patient_id)
        row["after_close"] = {
            "data_days": sum(p.late_days for p in after.periods) if after else 0,
            "time_entries": after.late_entries if after else 0,
        }
        row["closed"] = True
        row["closed_at"] = closed.closed_at.isoformat()
        rows.append(row)
    return rows


def _row(figures: PatientFigures, *, span: Month, rule_sets: list[RuleSet], clinic_today: date) -> dict:
    month_rules = cpt.rule_set_on(rule_sets, span.first)
    periods = [_period(p, today=figures.today, rule_sets=rule_sets, span=span) for p in figures.periods]
    management = cpt.management_codes(month_rules, minutes=figures.minutes, interactive=figures.interactive)
    earned = [code for p in periods if p["billed_this_month"] for code in p["codes"]] + management
    month_open = clinic_today <= span.last
    missing = [sentence for p in periods for sentence in p["missing"]]
    if month_open:
        missing += cpt.management_missing(month_rules, minutes=figures.minutes, interactive=figures.interactive)
    if figures.rpm:
        missing = []
    return {
        "patient": {"id": figures.patient_id, "display_name": figures.display_name},
        "month": span.first.isoformat(),
        "rules": month_rules.name,
        "closed": False,
        "closed_at": None,
        "rpm": figures.rpm,
        "periods": periods,
        "minutes": figures.minutes,
        "interactive": figures.interactive,
        "clinicians": figures.clinicians,
        "management_codes": [] if figures.rpm else management,
        "codes": [] if figures.rpm else earned,
        "billable": bool(earned) and not figures.rpm,
        "missing": missing,
        "after_close": {"data_days": sum(p.late_days for p in figures.periods), "time_entries": figures.late_entries},
    }


def _period(period: PeriodFigures, *, today: date, rule_sets: list[RuleSet], span: Month) -> dict:
    rules = cpt.rule_set_on(rule_sets, period.end)  # the date of service: the period's last day
    first = period.number == 0
    complete = today > period.end
    reachable = None
    if not complete and today >= period.start:
        days_left = (period.end - today).days + 1 - (1 if period.logged_today else 0)
        reachable = cpt.supply_next(rules, data_days=period.data_days, first_period=first, days_left=days_left)
    return {
        "episode": period.episode_id,
        "number": period.number + 1,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "rules": rules.name,
        "data_days": period.data_days,
        "complete": complete,
        "billed_this_month": span.first <= period.end <= span.last,
        "codes": cpt.supply_codes(rules, data_days=period.data_days, first_period=first),
        "needed_days": None if reachable is None else reachable[0],
        "missing": [] if reachable is None else [cpt.supply_missing(*reachable, period_end=period.end)],
    }


def close_to_threshold(*, clinic: Clinic) -> list[dict]:
    """This month's patients whose running period can still reach its next band, nearest first."""
    rows = clinic_month_rows(clinic=clinic, month=month_of(clinic))
    close = []
    for row in rows:
        if row["rpm"]:
            continue
        for period in row["periods"]:
            if period["needed_days"] is not None:
                close.append({"row": row, "period": period, "needed": period["needed_days"]})
    return sorted(close, key=lambda item: (item["needed"], item["row"]["patient"]["display_name"]))
