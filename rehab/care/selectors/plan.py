"""A patient's plan for one day, from the timeline engine."""

from datetime import date

from config import clock
from patients.models import Patient
from protocols.timeline import DayOutOfRange, plan_for_day
from rehab.care.models import Milestone
from rehab.care.selectors.enrollment import enrollment_current


def patient_plan(*, patient: Patient, on: date) -> dict | None:
    """The contract's Plan for `on`, or None: before the start, with no enrolment, or after discharge."""
    if patient.status == Patient.Status.DISCHARGED:
        discharged_on = clock.local_date_of(patient.discharged_at or clock.now(), patient.timezone)
        if on > discharged_on:
            return None
    enrollment = enrollment_current(patient, on=on)
    if enrollment is None:
        return None
    decided = (
        Milestone.objects.filter(enrollment=enrollment)
        .exclude(status__in=Milestone.UNDECIDED)
        .values_list("code", flat=True)
    )
    try:
        return plan_for_day(
            enrollment.protocol_version.definition,
            enrollment.start_date,
            on,
            exercise_overrides=patient.exercise_overrides,
            decided_milestones=list(decided),
        )
    except DayOutOfRange:
        return None
