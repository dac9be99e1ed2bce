"""What a patient's erasure (rehab.exchange) asks of billing: the free text of their time entries."""

from patients.models import Patient
from rehab.billing.models import TimeEntry


def time_entry_notes_erase(*, patient: Patient) -> int:
    """Blank the notes of the patient's time entries; the minutes, calls and corrections stay as billed.

    The append-only trigger allows this one change (migration 0003) and nothing else.
    """
    return TimeEntry.objects.filter(patient=patient).exclude(note="").update(note="")
