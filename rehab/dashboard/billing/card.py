"""What the patient page's RTM card shows: this month's ledger row, the episode, the timer, recent time."""

from dataclasses import dataclass, field

from patients.models import Patient, User
from rehab.billing.models import Episode, TimeEntry, Timer
from rehab.billing.selectors.entries import episodes_of, time_entries_visible, time_entry_in_effect, timer_open
from rehab.billing.selectors.ledger import clinic_month_rows, month_of
from rehab.billing.services.time_entries import timer_minutes

RECENT_ENTRIES = 5


@dataclass
class RtmCard:
    patient: Patient
    month: object
    row: dict | None
    episode: Episode | None  # the running one, else the latest
    timer: Timer | None
    timer_minutes: int | None
    entries: list[TimeEntry]
    activities: list[tuple[str, str]] = field(default_factory=lambda: list(TimeEntry.Activity.choices))
    errors: dict = field(default_factory=dict)

    @property
    def period(self) -> dict | None:
        """The period running now (or the month's last), the one the card leads with."""
        if not self.row:
            return None
        running = [p for p in self.row["periods"] if not p["complete"]]
        return (running or self.row["periods"])[-1]


def rtm_card(*, patient: Patient, viewer: User, errors: dict | None = None) -> RtmCard:
    clinic = viewer.clinic
    month = month_of(clinic)
    rows = clinic_month_rows(clinic=clinic, month=month, patient_ids=[patient.pk])
    timer = timer_open(patient=patient, clinician=viewer)
    entries = list(time_entries_visible(patient=patient, viewer=viewer)[:RECENT_ENTRIES])
    for entry in entries:
        entry.in_effect = time_entry_in_effect(entry)
    return RtmCard(
        patient=patient,
        month=month,
        row=rows[0] if rows else None,
        episode=episodes_of(patient=patient).first(),
        timer=timer,
        timer_minutes=None if timer is None else timer_minutes(timer),
        entries=entries,
        errors=errors or {},
    )
