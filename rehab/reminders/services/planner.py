"""Planning reminders: the next 36 hours of each active patient, written as rows.

Set-based: enrolments are read in chunks as plain values (with each patient's
zone, quiet hours, dosage and last pain date in the same query), with the
chunk's milestones and recent VISA-A dates in one query each; the rows go in
with one INSERT that ignores slots already planned (a unique constraint), so
the planner can run every hour and twice at once.

The planner runs over every active patient, so what the patients share is
worked out once per run: a version's rules, and the texts of a protocol day
(which depend only on the version, the day number and the dosage, never on
the patient's dates).
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from config import clock
from patients.models import Patient
from protocols.models import ProtocolVersion
from protocols.timeline import DayOutOfRange, heel_lift_changes, plan_for_day
from rehab.care.models import Enrollment, Milestone
from rehab.logs.models import PainLog, VisaAResponse
from rehab.reminders.models import Reminder
from rehab.reminders.services import messages
from rehab.reminders.services.messages import Draft
from rehab.reminders.services.quiet import reminder_instant

HORIZON = timedelta(hours=36)
# A reminder planned late may still go out this long after its time (e.g. the
# planner's first run of the day comes after 09:00); older ones are not planned.
LATE_OK = timedelta(hours=2)
CHUNK = 500
ONE_DAY = timedelta(days=1)
# Day texts kept per run; dosages are per patient, so the memo is emptied past
# this many to keep the planner's memory bounded by its chunk, not the cohort.
MEMO_MAX = 20_000


def reminders_plan(*, now: datetime | None = None) -> dict:
    """Write the reminders due in the next 36 hours; returns how many were new."""
    now = now or clock.now()
    cancelled = reminders_cancel_for_discharged()
    run = _Run(now)
    planned = last_id = 0
    while True:
        chunk = list(_current_enrolments(now).filter(id__gt=last_id).order_by("id")[:CHUNK])
        if not chunk:
            break
        last_id = chunk[-1]["id"]
        rows = _rows_for_chunk(chunk, run)
        planned += len(rows)
        _insert(rows, now=now)
    # An insert that ignores conflicts cannot say which rows were new; this run's rows carry its `now`.
    # Bounded by the pending-due index to the planned horizon, not a scan of every reminder ever written.
    new = Reminder.objects.filter(
        status=Reminder.Status.PENDING, due_at__gte=now - LATE_OK, due_at__lte=now + HORIZON, created_at=now
    ).count()
    return {"considered": planned, "new": new, "cancelled_discharged": cancelled}


def reminders_replan(*, patient: Patient) -> int:
    """After a patient's zone or quiet hours changed: the next planner run plans again at the new local times.

    Pending reminders are dropped rather than cancelled: a cancelled row would hold its slot.
    """
    deleted, _ = Reminder.objects.filter(patient=patient, status=Reminder.Status.PENDING).delete()
    return deleted


def reminders_cancel_pending(*, patient: Patient) -> int:
    """A discharged patient is sent nothing already planned (the planner plans nothing more for them)."""
    return Reminder.objects.filter(patient=patient, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED
    )


def reminders_cancel_for_discharged() -> int:
    return Reminder.objects.filter(status=Reminder.Status.PENDING, patient__status=Patient.Status.DISCHARGED).update(
        status=Reminder.Status.CANCELLED
    )


def _current_enrolments(now: datetime):
    # Every zone's local "today" is within a day of UTC's.
    last_pain = PainLog.objects.filter(patient=OuterRef("patient_id")).order_by("-local_date").values("local_date")
    return (
        Enrollment.objects.filter(patient__status=Patient.Status.ACTIVE, start_date__lte=now.date() + timedelta(days=2))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date() - timedelta(days=1)))
        .values(
            "id",
            "patient_id",
            "protocol_version_id",
            "start_date",
            "end_date",
            "patient__timezone",
            "patient__quiet_hours_start",
            "patient__quiet_hours_end",
            "patient__exercise_overrides",
        )
        # The newest entry through the (patient, local_date) index, not a MAX over the patient's history.
        .annotate(last_pain=Subquery(last_pain[:1]))
    )


@dataclass(frozen=True)
class _Version:
    """What the planner reads from a protocol version, once per run."""

    id: int
    definition: object
    morning: str
    evening: str
    change_days: frozenset[int]  # days whose eve announces a change
    visa_before: timedelta
    pain_nudge_days: int
    visa_a_milestones: frozenset[str]  # codes of the milestones that ask for a VISA-A questionnaire

    @classmethod
    def of(cls, version: ProtocolVersion) -> "_Version":
        definition = version.definition
        # The days of heel_lift_changes do not depend on the start date: any date gives them.
        changes = {c["day"] for c in heel_lift_changes(definition, date(2000, 1, 1))} | {
            p.first_day for p in definition.phases
        }
        return cls(
            id=version.pk,
            definition=definition,
            morning=definition.rule("exercise_reminder_time"),
            evening=definition.rule("transition_reminder_time"),
            change_days=frozenset(changes),
            visa_before=timedelta(days=int(definition.rule("visa_a_reminder_days_before"))),
            pain_nudge_days=int(definition.rule("pain_nudge_days")),
            visa_a_milestones=frozenset(m.code for m in definition.milestones if m.request_visa_a),
        )


class _Run:
    """One planner run's memo: versions, each zone's today, the texts of each protocol day."""

    def __init__(self, now: datetime):
        self.now = now
        self.versions: dict[int, _Version] = {}
        self._today: dict[str, date] = {}
        self._days: dict[tuple, tuple] = {}

    def versions_load(self, ids: set[int]) -> None:
        missing = ids - self.versions.keys()
        for version in ProtocolVersion.objects.filter(id__in=missing):
            self.versions[version.pk] = _Version.of(version)

    def today(self, tz_name: str) -> date:
        if tz_name not in self._today:
            self._today[tz_name] = clock.local_today(tz_name, at=self.now)
        return self._today[tz_name]

    def day_texts(self, version: _Version, start: date, on: date, overrides) -> tuple:
        """(exercise text or None, text of the eve of a change or None) of one protocol day.

        messages builds them from the plan's day number, exercises, boot, heel
        lift, weight bearing and phase: all functions of (version, day, dosage).
        """
        key = (version.id, (on - start).days, json.dumps(overrides, sort_keys=True) if overrides else "")
        texts = self._days.get(key)
        if texts is None:
            if len(self._days) >= MEMO_MAX:
                self._days.clear()
            texts = self._days[key] = _day_texts(version, start, on, overrides)
        return texts


def _day_texts(version: _Version, start: date, on: date, overrides) -> tuple:
    plan = _plan(version.definition, start, on, overrides)
    exercise = messages.exercise_text(plan) if plan and plan["exercises"] else None
    change = None
    if (on + ONE_DAY - start).days in version.change_days and plan:
        change = messages.change_text(plan, _plan(version.definition, start, on + ONE_DAY, overrides))
    return exercise, change


def _plan(definition, start: date, on: date, overrides) -> dict | None:
    try:
        return plan_for_day(definition, start, on, exercise_overrides=overrides)
    except DayOutOfRange:
        return None


def _rows_for_chunk(chunk: list[dict], run: _Run) -> list[tuple]:
    now = run.now
    run.versions_load({e["protocol_version_id"] for e in chunk})
    milestones = _milestones(chunk, run)
    visa_days = _visa_days(chunk, milestones, run)
    rows = []
    for e in chunk:
        drafts = enrollment_reminders(e, run, milestones=milestones[e["id"]], visa_days=visa_days[e["patient_id"]])
        quiet = (e["patient__timezone"], e["patient__quiet_hours_start"], e["patient__quiet_hours_end"])
        for d in drafts:
            due = reminder_instant(d.on, time.fromisoformat(d.at), *quiet)
            if now - LATE_OK <= due <= now + HORIZON:
                rows.append((e["patient_id"], d.kind, d.slot, due, d.title, d.body))
    return rows


def _milestones(chunk: list[dict], run: _Run) -> dict[int, list]:
    """The chunk's undecided milestones that can have a reminder today or tomorrow, by enrolment.

    A reminder day is a local today or tomorrow, within [d-1, d+2] of the UTC
    date d: a milestone is reminded of when its window starts on or the day
    after such a day, or its window ends `visa_before` days after one. A day of
    slack each way; _milestone_reminders decides exactly.
    """
    d = run.now.date()
    before = [v.visa_before for v in run.versions.values()]
    near = Q(window_start__range=(d - 2 * ONE_DAY, d + 4 * ONE_DAY)) | Q(
        window_end__range=(d - 2 * ONE_DAY + min(before), d + 4 * ONE_DAY + max(before))
    )
    undecided = Milestone.objects.filter(
        near,
        enrollment_id__gte=chunk[0]["id"],
        enrollment_id__lte=chunk[-1]["id"],
        status__in=Milestone.UNDECIDED,
    )
    milestones = defaultdict(list)
    for m in undecided.values_list("enrollment_id", "code", "name", "kind", "window_start", "window_end", named=True):
        milestones[m.enrollment_id].append(m)  # ids in the range that are not current are never looked up
    return milestones


def _visa_days(chunk: list[dict], milestones: dict[int, list], run: _Run) -> dict[int, set]:
    """Recent VISA-A dates of the patients a closing questionnaire reminder may be for (a few per chunk)."""
    d = run.now.date()
    closing = set()
    for e in chunk:
        version = run.versions[e["protocol_version_id"]]
        for m in milestones.get(e["id"], ()):
            if d - 2 * ONE_DAY <= m.window_end - version.visa_before <= d + 4 * ONE_DAY:
                closing.add(e["patient_id"])
    visa_days = defaultdict(set)
    if closing:
        recent = VisaAResponse.objects.filter(patient_id__in=closing, local_date__gte=d - timedelta(days=60))
        for patient_id, day in recent.values_list("patient_id", "local_date"):
            visa_days[patient_id].add(day)
    return visa_days


def enrollment_reminders(e: dict, run: _Run, *, milestones, visa_days) -> list[Draft]:
    """The reminders of the patient's local today and tomorrow on this enrolment (a row of _current_enrolments)."""
    version, start, end = run.versions[e["protocol_version_id"]], e["start_date"], e["end_date"]
    today = run.today(e["patient__timezone"])
    drafts = []
    for on in (today, today + ONE_DAY):
        if on < start or (end and on > end):
            continue
        exercise, change = run.day_texts(version, start, on, e["patient__exercise_overrides"])
        if exercise:
            drafts.append(Draft(Reminder.Kind.EXERCISE, on.isoformat(), on, version.morning, *exercise))
        if change:
            tomorrow = (on + ONE_DAY).isoformat()
            drafts.append(Draft(Reminder.Kind.PHASE_CHANGE, f"change:{tomorrow}", on, version.evening, *change))
        for m in milestones:
            drafts += _milestone_reminders(m, version, on, visa_days)
    drafts += _pain_nudge(version, start, today, e["last_pain"])
    return drafts


def _milestone_reminders(m, version: _Version, on: date, visa_days) -> list[Draft]:
    drafts = []
    morning, evening = version.morning, version.evening
    if m.kind == "transition":
        for eve, when, at in ((True, on + ONE_DAY, evening), (False, on, morning)):
            if m.window_start == when:
                slot = f"{m.code}:{'eve' if eve else 'day'}"
                drafts.append(Draft(Reminder.Kind.MILESTONE, slot, on, at, *messages.transition_text(m.name, eve=eve)))
    if m.code in version.visa_a_milestones:
        if m.window_start == on:
            text = messages.questionnaire_text(m.name, closing=False)
            drafts.append(Draft(Reminder.Kind.QUESTIONNAIRE, f"{m.code}:open", on, morning, *text))
        closing = m.window_end - version.visa_before == on and m.window_end > m.window_start
        if closing and not any(m.window_start <= d <= on for d in visa_days):
            text = messages.questionnaire_text(m.name, closing=True)
            drafts.append(Draft(Reminder.Kind.QUESTIONNAIRE, f"{m.code}:closing", on, morning, *text))
    return drafts


def _pain_nudge(version: _Version, start: date, today: date, last_pain: date | None) -> list[Draft]:
    """Only for today: a pain entry made later today must not be answered by tomorrow's nudge."""
    days = version.pain_nudge_days
    since = last_pain or start - ONE_DAY
    if (today - since).days < days or (today - start).days < days:
        return []
    text = messages.pain_nudge_text(days)
    return [Draft(Reminder.Kind.PAIN_NUDGE, today.isoformat(), today, version.evening, *text)]


def _insert(rows: list[tuple], *, now: datetime) -> None:
    """One INSERT for the chunk, in the rows' order (the first of two drafts for one slot wins).

    The rows travel as one JSON array rather than through bulk_create: a model
    instance per row, or an array per column quoted element by element, cost
    more than planning the row.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":  # the embedded SQLite default: the portable, slower way
        Reminder.objects.bulk_create(
            [
                Reminder(patient_id=p, kind=kind, slot=slot, due_at=due, title=title, body=body, created_at=now)
                for p, kind, slot, due, title, body in rows
            ],
            ignore_conflicts=True,
        )
        return
    payload = json.dumps([[p, kind, slot, due.isoformat(), title, body] for p, kind, slot, due, title, body in rows])
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Reminder._meta.db_table} (patient_id, kind, slot, due_at, title, body, status, created_at)
            SELECT (r->>0)::bigint, r->>1, r->>2, (r->>3)::timestamptz, r->>4, r->>5, %s, %s
            FROM json_array_elements(%s::json) WITH ORDINALITY AS x (r, n)
            ORDER BY n
            ON CONFLICT DO NOTHING
            """,
            [Reminder.Status.PENDING, now, payload],
        )
