"""Reading enrolments: which protocol a patient is on, on a given day."""

from datetime import date

from config import clock
from patients.models import Patient
from rehab.models import Enrollment


def enrollment_current(patient: Patient, *, on: date | None = None) -> Enrollment | None:
    """The enrolment whose dates cover `on` (default: the patient's today)."""
    on = on or clock.local_today(patient.timezone)
    return (
        Enrollment.objects.select_related("protocol_version__protocol")
        .filter(patient=patient, start_date__lte=on)
        .exclude(end_date__lt=on)
        .order_by("-start_date")
        .first()
    )


def enrollment_first_start(patient: Patient) -> date | None:
    """The start date of the patient's first enrolment: nothing they log may be dated earlier."""
    first = Enrollment.objects.filter(patient=patient).order_by("start_date").values_list("start_date", flat=True)
    return first.first()


def enrollment_on_or_before(patient: Patient, on: date) -> Enrollment | None:
    """The enrolment a dated entry belongs to: the latest one started by `on`, even if it has ended since."""
    return (
        Enrollment.objects.select_related("protocol_version__protocol")
        .filter(patient=patient, start_date__lte=on)
        .order_by("-start_date")
        .first()
    )


def enrollment_rules_source(patient: Patient) -> Enrollment | None:
    """The enrolment whose protocol's rules apply now: the current one, else the latest.

    Before the first enrolment starts (a patient created ahead of surgery, a
    medication log up to 12 months back) the nearest enrolment's rules still apply.
    """
    return enrollment_current(patient) or (
        Enrollment.objects.select_related("protocol_version__protocol")
        .filter(patient=patient)
        .order_by("-start_date")
        .first()
    )
