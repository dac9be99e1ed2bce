"""Reading time entries, episodes and timers, scoped to who asks."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from patients.models import Patient, User
from rehab.billing.models import Episode, TimeEntry, Timer


def time_entries_visible(*, patient: Patient, viewer: User, clinician_id: int | None = None) -> QuerySet:
    """A physio sees their own entries; a clinic admin everyone's (or one clinician's). Newest first."""
    corrections = TimeEntry.objects.filter(corrects=OuterRef("pk"))
    entries = (
        TimeEntry.objects.filter(patient=patient)
        .select_related("clinician")
        .annotate(correction_id=Subquery(corrections.values("pk")[:1]), corrected=Exists(corrections))
    )
    if viewer.role != User.Role.CLINIC_ADMIN:
        entries = entries.filter(clinician=viewer)
    elif clinician_id is not None:
        entries = entries.filter(clinician_id=clinician_id)
    return entries.order_by("-started_at", "-id")


def time_entry_in_effect(entry: TimeEntry) -> bool:
    corrected = getattr(entry, "corrected", None)
    if corrected is None:
        corrected = TimeEntry.objects.filter(corrects=entry).exists()
    return entry.kind != TimeEntry.Kind.REVERSE and not corrected


def episodes_of(*, patient: Patient) -> QuerySet:
    return Episode.objects.filter(patient=patient).select_related("started_by", "stopped_by").order_by("-started_on")


def timer_open(*, patient: Patient, clinician: User) -> Timer | None:
    """The clinician's unconfirmed timer on this patient, running or stopped."""
    return Timer.objects.filter(
        patient=patient, clinician=clinician, entry__isnull=True, discarded_at__isnull=True
    ).first()
