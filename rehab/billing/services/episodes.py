"""Starting and stopping a patient's RTM monitoring, and the clinic's data-day rule."""

from datetime import date

from django.db import IntegrityError, transaction

from config import clock
from config.errors import Conflict, FieldErrors
from patients.models import Clinic, Patient, User
from rehab.billing.models import ClinicBillingSettings, Episode
from rehab.care.selectors.enrollment import enrollment_current


class EpisodeConflict(Conflict):
    """Monitoring is already running, or not running, or would overlap an earlier episode."""


@transaction.atomic
def episode_start(*, patient: Patient, by: User, started_on: date | None = None) -> Episode:
    """A physio starts RTM for an active patient on a day an enrolment covers (default: the patient's today)."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    today = clock.local_today(patient.timezone)
    started_on = started_on or today
    if started_on > today:
        raise FieldErrors.on("started_on", "Monitoring cannot start after the patient's today.")
    if patient.status != Patient.Status.ACTIVE:
        raise EpisodeConflict("A discharged patient cannot start monitoring.")
    if enrollment_current(patient, on=started_on) is None:
        raise FieldErrors.on("started_on", "The patient has no enrolment on this day.")
    if Episode.objects.filter(patient=patient, stopped_on__isnull=True).exists():
        raise EpisodeConflict("Monitoring is already running for this patient.")
    if Episode.objects.filter(patient=patient, stopped_on__gte=started_on).exists():
        raise FieldErrors.on("started_on", "An earlier episode of monitoring covers this day.")
    try:
        with transaction.atomic():
            return Episode.objects.create(patient=patient, started_on=started_on, started_by=by, created_at=clock.now())
    except IntegrityError:
        raise EpisodeConflict("Monitoring is already running for this patient.") from None


@transaction.atomic
def episode_stop(*, patient: Patient, by: User, stopped_on: date | None = None) -> Episode:
    """Stop the running episode; `stopped_on` is the last day monitored (default: the patient's today)."""
    episode = Episode.objects.select_for_update().filter(patient=patient, stopped_on__isnull=True).first()
    if episode is None:
        raise EpisodeConflict("Monitoring is not running for this patient.")
    today = clock.local_today(patient.timezone)
    stopped_on = stopped_on or today
    if stopped_on > today:
        raise FieldErrors.on("stopped_on", "Monitoring cannot stop after the patient's today.")
    if stopped_on < episode.started_on:
        raise FieldErrors.on("stopped_on", "Monitoring cannot stop before it started.")
    episode.stopped_on = stopped_on
    episode.stopped_by = by
    episode.save(update_fields=["stopped_on", "stopped_by"])
    return episode


def data_day_rule_set(*, clinic: Clinic, data_day_rule: str) -> ClinicBillingSettings:
    """Which logs make a data day at this clinic: any patient-entered log, or exercise logs only."""
    chosen, _ = ClinicBillingSettings.objects.update_or_create(clinic=clinic, defaults={"data_day_rule": data_day_rule})
    return chosen
