"""What every safety rule needs to know about the patient: care and rules."""

from dataclasses import dataclass
from typing import Any

from config import clock
from patients.models import Patient
from protocols.models import Protocol
from rehab.care.models import Enrollment
from rehab.care.selectors.enrollment import EnrollmentHistory


@dataclass(frozen=True)
class SafetyContext:
    patient: Patient
    enrollment: Enrollment | None

    @classmethod
    def for_patient(cls, patient: Patient, *, history: EnrollmentHistory | None = None) -> "SafetyContext":
        history = history or EnrollmentHistory.of(patient)
        return cls(patient=patient, enrollment=history.rules_source())

    @property
    def after_surgery(self) -> bool:
        """The current enrolment is post-surgical (section 5); one that has not started yet is not."""
        if self.enrollment is None or self.enrollment.start_date > clock.local_today(self.patient.timezone):
            return False
        return self.enrollment.protocol_version.protocol.care == Protocol.Care.POST_SURGICAL

    def rule(self, name: str, default: Any = None) -> Any:
        """A threshold from the patient's protocol version; `default` only when not enrolled at all."""
        if self.enrollment is None:
            return default
        return self.enrollment.protocol_version.definition.rules.get(name, default)
