"""Section 1 and 3: corticosteroid injections near the tendon, and NSAIDs."""

from datetime import date, timedelta

from config import clock
from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import ClinicalEvent
from rehab.logs.models import MedicationLog
from rehab.rules.services.safety.context import SafetyContext

# An injection "into or around the Achilles tendon": the heel counts, and so
# does a site nobody knows.
UNSAFE_INJECTION_SITES = (MedicationLog.Site.ACHILLES, MedicationLog.Site.HEEL, MedicationLog.Site.UNKNOWN)


def corticosteroid_check(ctx: SafetyContext, record: MedicationLog | ClinicalEvent) -> Alert | None:
    if record.kind != MedicationLog.Kind.CORTICOSTEROID_INJECTION:  # same code in both models
        return None
    if isinstance(record, ClinicalEvent):
        site, on, source = record.details.get("site") or "unknown", record.date, "clinical_event"
    else:
        site, on, source = record.site or "unknown", record.taken_on, "medication_log"
    if site not in UNSAFE_INJECTION_SITES:
        return None
    planned = on > clock.local_today(ctx.patient.timezone)
    evidence = {"source": source, "record": record.pk, "site": site, "date": on.isoformat(), "planned": planned}
    verb = "is planned" if planned else "was recorded"
    reason = (
        f"A corticosteroid injection at the {site.replace('_', ' ')} site {verb} for {on.isoformat()}: "
        "injections into or around the Achilles tendon weaken it and raise rupture risk."
    )
    alert, _ = alert_raise(patient=ctx.patient, code="corticosteroid_injection", reason=reason, evidence=evidence)
    return alert


def nsaid_checks(ctx: SafetyContext, log: MedicationLog) -> list[Alert | None]:
    if log.kind != MedicationLog.Kind.NSAID:
        return []
    return [nsaid_kidney_check(ctx, log), nsaid_long_term_check(ctx, log)]


def nsaid_kidney_check(ctx: SafetyContext, log: MedicationLog) -> Alert | None:
    # Any NSAID, prophylaxis included: the kidney risk does not care why it was taken.
    if not ctx.patient.has_kidney_disease:
        return None
    evidence = {"medication_log": log.pk, "taken_on": log.taken_on.isoformat(), "route": log.route}
    reason = f"An NSAID ({log.route}) was taken on {log.taken_on.isoformat()} by a patient with kidney disease."
    alert, _ = alert_raise(patient=ctx.patient, code="nsaid_kidney_disease", reason=reason, evidence=evidence)
    return alert


def nsaid_long_term_check(ctx: SafetyContext, log: MedicationLog) -> Alert | None:
    if log.indication == MedicationLog.HO_PROPHYLAXIS or ctx.enrollment is None:
        return None
    max_run = int(ctx.rule("nsaid_max_consecutive_days"))
    max_in_window = int(ctx.rule("nsaid_max_days_in_window"))
    window = int(ctx.rule("nsaid_window_days"))
    days = _nsaid_days_around(ctx, log.taken_on, reach=max(window, max_run + 1))
    run = longest_run(days)
    busiest, busiest_from = busiest_window(days, window)
    if run <= max_run and busiest <= max_in_window:
        return None
    evidence = {
        "consecutive_days": run,
        "days_in_window": busiest,
        "window_days": window,
        "window_from": busiest_from.isoformat(),
        "limits": {"consecutive_days": max_run, "days_in_window": max_in_window},
        "first_day": min(days).isoformat(),
        "last_day": max(days).isoformat(),
    }
    reason = (
        f"NSAIDs beyond short-term use: {run} consecutive days, {busiest} days in {window} "
        f"(limits {max_run} consecutive, {max_in_window} in {window})."
    )
    alert, _ = alert_raise(patient=ctx.patient, code="nsaid_long_term", reason=reason, evidence=evidence)
    return alert


def _nsaid_days_around(ctx: SafetyContext, on: date, *, reach: int) -> list[date]:
    # Logs arrive out of order (offline phones), so look both ways from the new day.
    return list(
        MedicationLog.objects.filter(
            patient=ctx.patient,
            kind=MedicationLog.Kind.NSAID,
            taken_on__gte=on - timedelta(days=reach),
            taken_on__lte=on + timedelta(days=reach),
        )
        .exclude(indication=MedicationLog.HO_PROPHYLAXIS)
        .values_list("taken_on", flat=True)
        .distinct()
        .order_by("taken_on")
    )


def longest_run(days: list[date]) -> int:
    """The longest stretch of consecutive days in a sorted list of distinct days."""
    best = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best, previous = max(best, run), day
    return best


def busiest_window(days: list[date], window: int) -> tuple[int, date | None]:
    """The most days falling in any `window` consecutive days, and where that window starts."""
    best, best_from, first = 0, None, 0
    for last, day in enumerate(days):
        while day - days[first] >= timedelta(days=window):
            first += 1
        if last - first + 1 > best:
            best, best_from = last - first + 1, days[first]
    return best, best_from
