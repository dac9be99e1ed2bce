from config import clock
from patients.models import Patient
from rehab.care.models import Milestone


def milestone_for_outcome(*, patient: Patient, code: str) -> Milestone | None:
    """The milestone a physio's outcome for `code` is about: the one in the current enrolment, else the
    newest enrolment that has it (enrolments starting later are not yet current)."""
    today = clock.local_today(patient.timezone)
    candidates = Milestone.objects.filter(enrollment__patient=patient, code=code, enrollment__start_date__lte=today)
    return candidates.select_related("decided_by").order_by("-enrollment__start_date").first()
