"""What every safety rule needs to know about the patient: care and rules."""

from dataclasses import dataclass
from typing import Any

from patients.models import Patient
from protocols.models import Protocol
from rehab.models import Enrollment
from rehab.selectors.enrollment import enrollment_current


@dataclass(frozen=True)
class SafetyContext:
    patient: Patient
    enrollment: Enrollment | None

    @classmethod
    def for_patient(cls, patient: Patient) -> "SafetyContext":
        enrollment = enrollment_current(patient) or _latest_enrollment(patient)
        return cls(patient=patient, enrollment=enrollment)

    @property
    def after_surgery(self) -> bool:
        if self.enrollment is None:
            return False
        return self.enrollment.protocol_version.protocol.care == Protocol.Care.POST_SURGICAL

    def rule(self, name: str, default: Any = None) -> Any:
        """A threshold from the patient's protocol version; `default` only when not enrolled at all."""
        if self.enrollment is None:
            return default
        return self.enrollment.protocol_version.spec.rules.get(name, default)


def _latest_enrollment(patient: Patient) -> Enrollment | None:
    # A log may arrive before the first enrolment starts (a medication log may
    # go back 12 months); the rules of the nearest enrolment still apply.
    return (
        Enrollment.objects.select_related("protocol_version__protocol")
        .filter(patient=patient)
        .order_by("-start_date")
        .first()
    )
