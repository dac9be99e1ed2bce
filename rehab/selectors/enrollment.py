"""Reading enrolments: which protocol a patient is on, on a given day."""

from dataclasses import dataclass
from datetime import date

from config import clock
from patients.models import Patient
from rehab.models import Enrollment


@dataclass(frozen=True)
class EnrollmentHistory:
    """A patient's enrolments, read in one query, answering every "which one" question.

    A patient has a handful of enrolments, so one read serves the checks of a
    log and its safety rules alike (the ingestion hot path used to ask four times).
    """

    patient: Patient
    newest_first: tuple[Enrollment, ...]

    @classmethod
    def of(cls, patient: Patient) -> "EnrollmentHistory":
        rows = Enrollment.objects.select_related("protocol_version__protocol").filter(patient=patient)
        return cls(patient, tuple(rows.order_by("-start_date")))

    def first_start(self) -> date | None:
        """Nothing a patient logs may be dated before their first enrolment."""
        return self.newest_first[-1].start_date if self.newest_first else None

    def current(self, on: date | None = None) -> Enrollment | None:
        """The enrolment whose dates cover `on` (default: the patient's today)."""
        on = on or clock.local_today(self.patient.timezone)
        return next((e for e in self.newest_first if e.start_date <= on and not _ended_before(e, on)), None)

    def on_or_before(self, on: date) -> Enrollment | None:
        """The enrolment a dated entry belongs to: the latest one started by `on`, even if it has ended since."""
        return next((e for e in self.newest_first if e.start_date <= on), None)

    def rules_source(self) -> Enrollment | None:
        """The enrolment whose protocol's rules apply now: the current one, else the latest.

        Before the first enrolment starts (a patient created ahead of surgery, a
        medication log up to 12 months back) the nearest enrolment's rules still apply.
        """
        return self.current() or (self.newest_first[0] if self.newest_first else None)


def _ended_before(enrollment: Enrollment, on: date) -> bool:
    return enrollment.end_date is not None and enrollment.end_date < on


def enrollment_current(patient: Patient, *, on: date | None = None) -> Enrollment | None:
    return EnrollmentHistory.of(patient).current(on)


def enrollment_rules_source(patient: Patient) -> Enrollment | None:
    return EnrollmentHistory.of(patient).rules_source()
