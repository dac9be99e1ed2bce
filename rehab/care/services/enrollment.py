"""Putting a patient on a protocol, and moving them to another."""

from datetime import date, datetime, timedelta

from django.db import transaction

from config import clock
from config.errors import Conflict
from patients.models import Patient, User
from protocols.models import ProtocolVersion
from protocols.timeline import dated_milestone
from rehab.care.models import Enrollment, Milestone


def milestone_due_at(window_end: date, *, tz_name: str, grace_hours: int) -> datetime:
    """When the backend acts on a milestone: the end of its window's last local day, plus the grace period."""
    return clock.end_of_local_day(window_end, tz_name) + timedelta(hours=grace_hours)


@transaction.atomic
def enrollment_start(
    *,
    patient: Patient,
    protocol_version: ProtocolVersion,
    start_date: date,
    reason: str = "",
    by: User | None = None,
) -> Enrollment:
    """Enrol a patient from `start_date`, ending whatever enrolment they are on.

    Enrolments never overlap: the previous one ends the day before the new
    start (even in the past) and its undecided milestones that end after that
    are cancelled. New milestones whose window closed before today are
    skipped, never judged.
    """
    today = clock.local_today(patient.timezone)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # serialise moves of one patient
    _end_enrollments_from(patient=patient, start_date=start_date, reason=reason or "moved to another protocol")
    enrollment = Enrollment.objects.create(
        patient=patient, protocol_version=protocol_version, start_date=start_date, reason=reason, created_by=by
    )
    milestones = milestone_rows(enrollment, tz_name=patient.timezone, today=today)
    Milestone.objects.bulk_create(milestones)
    return enrollment


def milestone_rows(enrollment: Enrollment, *, tz_name: str, today: date) -> list[Milestone]:
    """The dated milestones of an enrolment, unsaved: pending, or skipped if their window closed before today."""
    definition = enrollment.protocol_version.definition
    rows = []
    for position, m in enumerate(definition.milestones):
        dated = dated_milestone(m, enrollment.start_date)
        rows.append(
            Milestone(
                enrollment=enrollment,
                code=m.code,
                name=m.name,
                kind=m.kind,
                position=position,
                window_start=dated.window_start,
                window_end=dated.window_end,
                due_at=milestone_due_at(dated.window_end, tz_name=tz_name, grace_hours=_grace_hours(definition, m)),
                status=Milestone.Status.SKIPPED if dated.window_end < today else Milestone.Status.PENDING,
            )
        )
    return rows


def _grace_hours(definition, milestone) -> int:
    # Only reviews wait for phones that were offline; the rest fall due at the window's end.
    return int(definition.rule("review_grace_hours")) if milestone.is_review else 0


def _end_enrollments_from(*, patient: Patient, start_date: date, reason: str) -> None:
    now = clock.now()
    overlapping = Enrollment.objects.filter(patient=patient).exclude(end_date__lt=start_date)
    for old in overlapping:
        if old.start_date >= start_date:
            raise EnrollmentOverlap(
                f"The patient already has an enrolment starting {old.start_date.isoformat()}; "
                "a new one must start after it."
            )
        old.end_date = start_date - timedelta(days=1)
        old.end_reason = reason
        old.save(update_fields=["end_date", "end_reason"])
        # Only what the old enrolment no longer covers: a move planned weeks
        # ahead leaves the reviews before it to be judged as usual.
        Milestone.objects.filter(enrollment=old, status__in=Milestone.UNDECIDED, window_end__gt=old.end_date).update(
            status=Milestone.Status.CANCELLED, decided_at=now
        )


class EnrollmentOverlap(Conflict):
    """A new enrolment would start on or before one the patient already has."""


def patient_schedule_refresh(*, patient: Patient) -> None:
    """Re-date the milestones after the patient's zone changed: they fall due at local midnight.

    (Reminders move too: rehab.reminders.services.reminders_replan, called beside this.)
    """
    undecided = Milestone.objects.filter(enrollment__patient=patient, status__in=Milestone.UNDECIDED).select_related(
        "enrollment__protocol_version"
    )
    changed = []
    for milestone in undecided:
        definition = milestone.enrollment.protocol_version.definition
        grace = _grace_hours(definition, definition.milestone(milestone.code))
        milestone.due_at = milestone_due_at(milestone.window_end, tz_name=patient.timezone, grace_hours=grace)
        changed.append(milestone)
    Milestone.objects.bulk_update(changed, ["due_at"])
