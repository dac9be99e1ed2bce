"""The same figures as rehab.billing.selectors.figures, computed in Python: the embedded SQLite default.

A handful of queries per month (episodes, closes, each kind of log, entries, RPM flags), never one
per patient, then the statement's steps in Python. PostgreSQL runs the one statement instead; a
test computes both on the same rows and compares them, so the two cannot drift apart.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from config import clock
from rehab.billing.models import Episode, MonthClose, RpmMonth, TimeEntry
from rehab.billing.selectors.figures import NO_END, PatientFigures, PeriodFigures, log_models


def month_figures_portable(
    *,
    clinic_id: int,
    data_day_rule: str,
    month: date,
    month_end: date,
    month_from: datetime,
    month_until: datetime,
    now: datetime,
    period_days: int,
    patient_ids: list[int] | None = None,
) -> list[PatientFigures]:
    episodes = Episode.objects.filter(patient__clinic_id=clinic_id, started_on__lte=month_end)
    if patient_ids is not None:
        episodes = episodes.filter(patient_id__in=patient_ids)
    live = []
    for e in episodes.values(
        "id", "patient_id", "started_on", "stopped_on", "patient__display_name", "patient__timezone",
        "patient__discharged_at",
    ):  # fmt: skip
        zone = e["patient__timezone"]
        discharged = e["patient__discharged_at"]
        ended_on = min(e["stopped_on"] or NO_END, clock.local_date_of(discharged, zone) if discharged else NO_END)
        if ended_on >= e["started_on"] and ended_on >= month:
            live.append({**e, "ended_on": ended_on, "today": clock.local_today(zone, at=now)})
    if not live:
        return []
    patient_set = {e["patient_id"] for e in live}
    closes = dict(MonthClose.objects.filter(clinic_id=clinic_id).values_list("month", "closed_at"))
    periods = [(e, n) for e in live for n in _numbers(e, month, month_end, period_days)]
    first = min(e["started_on"] + timedelta(days=n * period_days) for e, n in periods)
    last = max(min(e["started_on"] + timedelta(days=(n + 1) * period_days - 1), e["ended_on"]) for e, n in periods)
    first_received: dict[tuple[int, date], datetime] = {}
    for model in log_models(data_day_rule):
        rows = model.objects.filter(patient_id__in=patient_set, local_date__gte=first, local_date__lte=last)
        for patient_id, day, received in rows.values_list("patient_id", "local_date", "received_at"):
            key = (patient_id, day)
            if key not in first_received or received < first_received[key]:
                first_received[key] = received
    days_of = defaultdict(list)
    for (patient_id, day), received in first_received.items():
        closed_at = closes.get(day.replace(day=1))
        days_of[patient_id].append((day, closed_at is None or received <= closed_at))
    minutes, late_entries = _minutes(patient_set, month_from, month_until, closes.get(month))
    rpm = set(RpmMonth.objects.filter(patient_id__in=patient_set, month=month).values_list("patient_id", flat=True))
    patients: dict[int, PatientFigures] = {}
    for e, n in sorted(periods, key=lambda p: (p[0]["patient__display_name"], p[0]["patient_id"], p[1])):
        pid = e["patient_id"]
        figures = patients.get(pid)
        if figures is None:
            spent, interactive, clinicians = minutes.get(pid, (0, False, 0))
            figures = patients[pid] = PatientFigures(
                patient_id=pid, display_name=e["patient__display_name"], timezone=e["patient__timezone"],
                today=e["today"], rpm=pid in rpm, minutes=spent, interactive=interactive, clinicians=clinicians,
                late_entries=late_entries.get(pid, 0),
            )  # fmt: skip
        start = e["started_on"] + timedelta(days=n * period_days)
        nominal_end = start + timedelta(days=period_days - 1)
        end = min(nominal_end, e["ended_on"])
        inside = [(day, counted) for day, counted in days_of[pid] if start <= day <= end]
        figures.periods.append(
            PeriodFigures(
                episode_id=e["id"], number=n, start=start, end=end, nominal_end=nominal_end,
                data_days=sum(1 for _, counted in inside if counted),
                late_days=sum(1 for _, counted in inside if not counted),
                logged_today=any(counted and day == e["today"] for day, counted in inside),
            )
        )  # fmt: skip
    return list(patients.values())


def _numbers(episode: dict, month: date, month_end: date, period_days: int) -> range:
    low = max(0, (month - episode["started_on"]).days // period_days)
    high = (min(month_end, episode["ended_on"]) - episode["started_on"]).days // period_days
    return range(low, high + 1)


def _minutes(patient_ids: set[int], month_from: datetime, month_until: datetime, closed_at: datetime | None):
    """Per patient: (merged minutes, any live call, clinicians), and the entries recorded after the close."""
    entries = (
        TimeEntry.objects.filter(patient_id__in=patient_ids, started_at__gte=month_from, started_at__lt=month_until)
        .exclude(kind=TimeEntry.Kind.REVERSE)
        .filter(corrected_by__isnull=True)
        .values_list("patient_id", "clinician_id", "started_at", "minutes", "interactive", "recorded_at")
    )
    spans = defaultdict(list)
    late = defaultdict(int)
    for patient_id, clinician_id, started_at, count, interactive, recorded_at in entries:
        if closed_at is not None and recorded_at > closed_at:
            late[patient_id] += 1
            continue
        spans[(patient_id, clinician_id)].append((started_at, started_at + timedelta(minutes=count), interactive))
    seconds = defaultdict(float)
    calls = defaultdict(bool)
    clinicians = defaultdict(int)
    for (patient_id, _), items in spans.items():
        clinicians[patient_id] += 1
        island_start, island_end = None, None
        for start, end, interactive in sorted(items, key=lambda item: (item[0], item[1])):
            calls[patient_id] |= interactive
            if island_end is not None and start <= island_end:
                island_end = max(island_end, end)
                continue
            if island_end is not None:
                seconds[patient_id] += (island_end - island_start).total_seconds()
            island_start, island_end = start, end
        seconds[patient_id] += (island_end - island_start).total_seconds()
    result = {pid: (int(seconds[pid] // 60), calls[pid], clinicians[pid]) for pid in clinicians}
    return result, dict(late)
