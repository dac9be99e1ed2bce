"""Planning reminders: the next 36 hours of each active patient, written as rows.

Set-based: enrolments are read in chunks, with their milestones, last pain
entries and recent VISA-A dates loaded for the whole chunk; the rows go in
with one bulk insert that ignores slots already planned (a unique
constraint), so the planner can run every hour and twice at once.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Q

from config import clock
from patients.models import Patient
from protocols.timeline import DayOutOfRange, heel_lift_changes, plan_for_day
from rehab.models import Enrollment, Milestone, PainLog, Reminder, VisaAResponse
from rehab.services.reminders import messages
from rehab.services.reminders.messages import Draft
from rehab.services.reminders.quiet import reminder_instant

HORIZON = timedelta(hours=36)
# A reminder planned late may still go out this long after its time (e.g. the
# planner's first run of the day comes after 09:00); older ones are not planned.
LATE_OK = timedelta(hours=2)
CHUNK = 500


def reminders_plan(*, now: datetime | None = None) -> dict:
    """Write the reminders due in the next 36 hours; returns how many were new."""
    now = now or clock.now()
    cancelled = reminders_cancel_for_discharged()
    planned = last_id = 0
    while True:
        chunk = list(_current_enrolments(now).filter(id__gt=last_id).order_by("id")[:CHUNK])
        if not chunk:
            break
        last_id = chunk[-1].id
        rows = _rows_for_chunk(chunk, now=now)
        planned += len(rows)
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    # An insert that ignores conflicts cannot say which rows were new; this run's rows carry its `now`.
    # Bounded by the pending-due index to the planned horizon, not a scan of every reminder ever written.
    new = Reminder.objects.filter(
        status=Reminder.Status.PENDING, due_at__gte=now - LATE_OK, due_at__lte=now + HORIZON, created_at=now
    ).count()
    return {"considered": planned, "new": new, "cancelled_discharged": cancelled}


def reminders_cancel_for_discharged() -> int:
    return Reminder.objects.filter(status=Reminder.Status.PENDING, patient__status=Patient.Status.DISCHARGED).update(
        status=Reminder.Status.CANCELLED
    )


def _current_enrolments(now: datetime):
    # Every zone's local "today" is within a day of UTC's.
    return (
        Enrollment.objects.select_related("patient", "protocol_version__protocol")
        .filter(patient__status=Patient.Status.ACTIVE, start_date__lte=now.date() + timedelta(days=2))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date() - timedelta(days=1)))
    )


def _rows_for_chunk(chunk: list[Enrollment], *, now: datetime) -> list[Reminder]:
    patient_ids = [e.patient_id for e in chunk]
    milestones = defaultdict(list)
    for m in Milestone.objects.filter(enrollment__in=chunk, status__in=Milestone.UNDECIDED):
        milestones[m.enrollment_id].append(m)
    last_pain = dict(
        PainLog.objects.filter(patient_id__in=patient_ids)
        .values("patient_id")
        .annotate(last=Max("local_date"))
        .values_list("patient_id", "last")
    )
    visa_days = defaultdict(set)
    recent = VisaAResponse.objects.filter(patient_id__in=patient_ids, local_date__gte=now.date() - timedelta(days=60))
    for patient_id, day in recent.values_list("patient_id", "local_date"):
        visa_days[patient_id].add(day)
    rows = []
    for enrollment in chunk:
        drafts = enrollment_reminders(
            enrollment,
            now=now,
            milestones=milestones[enrollment.id],
            last_pain=last_pain.get(enrollment.patient_id),
            visa_days=visa_days[enrollment.patient_id],
        )
        rows.extend(_row(enrollment.patient, d, now) for d in drafts)
    return [r for r in rows if now - LATE_OK <= r.due_at <= now + HORIZON]


def _row(patient: Patient, draft: Draft, now: datetime) -> Reminder:
    due = reminder_instant(draft.on, time.fromisoformat(draft.at), patient)
    return Reminder(
        patient=patient, kind=draft.kind, slot=draft.slot, due_at=due, title=draft.title, body=draft.body,
        created_at=now,
    )  # fmt: skip


def enrollment_reminders(enrollment, *, now, milestones, last_pain, visa_days) -> list[Draft]:
    """The reminders of the patient's local today and tomorrow on this enrolment."""
    patient, spec = enrollment.patient, enrollment.protocol_version.spec
    today = clock.local_today(patient.timezone, at=now)
    drafts = []
    for on in (today, today + timedelta(days=1)):
        if on < enrollment.start_date or (enrollment.end_date and on > enrollment.end_date):
            continue
        drafts += _day_reminders(enrollment, spec, on, milestones, visa_days)
    drafts += _pain_nudge(enrollment, spec, today, last_pain)
    return drafts


def _day_reminders(enrollment, spec, on: date, milestones, visa_days) -> list[Draft]:
    rules, start = spec.rules, enrollment.start_date
    morning, evening = rules["exercise_reminder_time"], rules["transition_reminder_time"]
    plan = _plan(spec, enrollment, on)
    drafts = []
    if plan and plan["exercises"]:
        drafts.append(Draft(Reminder.Kind.EXERCISE, on.isoformat(), on, morning, *messages.exercise_text(plan)))
    change_days = {c["day"] for c in heel_lift_changes(spec, start)} | {p.first_day for p in spec.phases}
    tomorrow = on + timedelta(days=1)
    if (tomorrow - start).days in change_days and plan:
        text = messages.change_text(plan, _plan(spec, enrollment, tomorrow))
        if text:
            drafts.append(Draft(Reminder.Kind.PHASE_CHANGE, f"change:{tomorrow.isoformat()}", on, evening, *text))
    for m in milestones:
        drafts += _milestone_reminders(m, spec, on, morning, evening, visa_days)
    return drafts


def _plan(spec, enrollment, on: date) -> dict | None:
    try:
        return plan_for_day(spec, enrollment.start_date, on, exercise_overrides=enrollment.patient.exercise_overrides)
    except DayOutOfRange:
        return None


def _milestone_reminders(m: Milestone, spec, on: date, morning: str, evening: str, visa_days) -> list[Draft]:
    drafts = []
    if m.kind == "transition":
        for eve, when, at in ((True, on + timedelta(days=1), evening), (False, on, morning)):
            if m.window_start == when:
                slot = f"{m.code}:{'eve' if eve else 'day'}"
                drafts.append(Draft(Reminder.Kind.MILESTONE, slot, on, at, *messages.transition_text(m.name, eve=eve)))
    if spec.milestone(m.code).request_visa_a:
        before = timedelta(days=int(spec.rule("visa_a_reminder_days_before")))
        if m.window_start == on:
            text = messages.questionnaire_text(m.name, closing=False)
            drafts.append(Draft(Reminder.Kind.QUESTIONNAIRE, f"{m.code}:open", on, morning, *text))
        answered = any(m.window_start <= d <= on for d in visa_days)
        if m.window_end - before == on and m.window_end > m.window_start and not answered:
            text = messages.questionnaire_text(m.name, closing=True)
            drafts.append(Draft(Reminder.Kind.QUESTIONNAIRE, f"{m.code}:closing", on, morning, *text))
    return drafts


def _pain_nudge(enrollment, spec, today: date, last_pain: date | None) -> list[Draft]:
    """Only for today: a pain entry made later today must not be answered by tomorrow's nudge."""
    days = int(spec.rule("pain_nudge_days"))
    since = last_pain or enrollment.start_date - timedelta(days=1)
    if (today - since).days < days or (today - enrollment.start_date).days < days:
        return []
    evening = spec.rule("transition_reminder_time")
    return [Draft(Reminder.Kind.PAIN_NUDGE, today.isoformat(), today, evening, *messages.pain_nudge_text(days))]
