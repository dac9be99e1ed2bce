"""Remote therapeutic monitoring: the rules a month is billed by, and what a clinic records for it.

The rule sets are data (seeded by migration 0002, keyed by the first date of service they apply
to), so a recomputed 2025 month gives 2025's codes and next year's CPT change is a new row, not a
code branch. Time entries are append-only (a database trigger refuses UPDATE and DELETE): a
correction is a new entry that amends or reverses an earlier one, and both stay.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class RuleSet(models.Model):
    """The CPT thresholds in force from `effective_from` (a date of service) until the next rule set.

    A band whose code is blank does not exist under these rules (98985 and 98979 before 2026).
    """

    name = models.CharField(max_length=40, unique=True)
    effective_from = models.DateField(unique=True)
    period_days = models.PositiveSmallIntegerField(help_text="Length of a device-supply period.")
    supply_low_code = models.CharField(max_length=10, blank=True)
    supply_low_days = models.PositiveSmallIntegerField(null=True, blank=True)
    supply_high_code = models.CharField(max_length=10)
    supply_high_days = models.PositiveSmallIntegerField()
    setup_code = models.CharField(max_length=10)
    setup_days = models.PositiveSmallIntegerField(help_text="Data days the first period needs for set-up.")
    management_low_code = models.CharField(max_length=10, blank=True)
    management_low_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    management_code = models.CharField(max_length=10)
    management_minutes = models.PositiveSmallIntegerField()
    management_extra_code = models.CharField(max_length=10)
    management_extra_minutes = models.PositiveSmallIntegerField(help_text="Each further full block of minutes.")
    management_needs_interactive = models.BooleanField(default=True)

    class Meta:
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(supply_low_code="") & Q(supply_low_days__isnull=True))
                | (~Q(supply_low_code="") & Q(supply_low_days__isnull=False)),
                name="rule_set_supply_low_band_whole",
            ),
            models.CheckConstraint(
                condition=(Q(management_low_code="") & Q(management_low_minutes__isnull=True))
                | (~Q(management_low_code="") & Q(management_low_minutes__isnull=False)),
                name="rule_set_management_low_band_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClinicBillingSettings(models.Model):
    """A clinic's RTM choices. A clinic without a row counts any patient-entered log."""

    class DataDayRule(models.TextChoices):
        ANY_LOG = "any_log", "Any log"
        EXERCISE_LOGS = "exercise_logs", "Exercise logs only"

    clinic = models.OneToOneField("patients.Clinic", on_delete=models.CASCADE, related_name="billing_settings")
    data_day_rule = models.CharField(max_length=20, choices=DataDayRule.choices, default=DataDayRule.ANY_LOG)


class Episode(models.Model):
    """RTM monitoring of one patient, from the day a physio started it until they stopped it.

    A discharge ends it too: the ledger reads the patient's discharge date (rehab.records sets
    `discharged_at`), so discharging needs no billing code of its own.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="rtm_episodes")
    started_on = models.DateField(help_text="The patient's local date the first period starts.")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stopped_on = models.DateField(null=True, blank=True, help_text="The last local day monitored.")
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=Q(stopped_on__isnull=True), name="one_open_episode"),
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=F("started_on")),
                name="episode_stops_after_start",
            ),
        ]
        indexes = [models.Index(fields=["patient", "started_on"])]
        ordering = ["patient_id", "-started_on"]


class TimeEntry(models.Model):
    """Minutes one clinician spent on one patient's monitoring. Never changed, never deleted.

    `corrects` points at the entry this one amends (its figures replace the other's) or reverses
    (the other no longer counts, and this one counts nothing). An entry is corrected at most once;
    a second correction corrects the correction.
    """

    class Activity(models.TextChoices):
        DATA_REVIEW = "data_review", "Reviewing data"
        PROGRAMME_CHANGE = "programme_change", "Adjusting the programme"
        MESSAGING = "messaging", "Messaging"
        CALL = "call", "Call"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        RECORD = "record"
        AMEND = "amend"
        REVERSE = "reverse"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="rtm_time_entries")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RECORD)
    activity = models.CharField(max_length=20, choices=Activity.choices)
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    interactive = models.BooleanField(help_text="A live call with the patient (not a message).")
    note = models.TextField(blank=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="record") & Q(corrects__isnull=True))
                | (Q(kind="amend") & Q(corrects__isnull=False) & Q(minutes__gte=1))
                | (Q(kind="reverse") & Q(corrects__isnull=False) & Q(minutes=0)),
                name="time_entry_kind_matches_correction",
            ),
            models.CheckConstraint(condition=Q(kind="reverse") | Q(minutes__gte=1), name="time_entry_minutes"),
        ]
        indexes = [models.Index(fields=["patient", "started_at"]), models.Index(fields=["clinician", "started_at"])]
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "time entries"

    def save(self, *args, **kwargs):
        # The trigger refuses it too; this says so before the database is asked.
        if self.pk is not None and not self._state.adding:
            raise TypeError("Time entries are append-only: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Time entries are append-only: record a reversal instead.")


class Timer(models.Model):
    """A clinician's running clock on one patient, kept on the server; confirmed, it becomes an entry."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    entry = models.OneToOneField(TimeEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="timer")
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One timer at a time per clinician: the minutes of one person cannot run twice.
            models.UniqueConstraint(
                fields=["clinician"],
                condition=Q(entry__isnull=True, discarded_at__isnull=True),
                name="one_unconfirmed_timer_per_clinician",
            ),
        ]


class RpmMonth(models.Model):
    """The patient was billed remote physiologic monitoring this month: no RTM code for it."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "month"], name="one_rpm_flag_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="rpm_month_is_first_day"),
        ]


class MonthClose(models.Model):
    """A clinic's billing month, closed: its rows are frozen as they were computed at `closed_at`."""

    clinic = models.ForeignKey("patients.Clinic", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "month"], name="one_close_per_clinic_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="closed_month_is_first_day"),
        ]


class ClosedRow(models.Model):
    """One patient's ledger row of a closed month, as it stood at the close."""

    close = models.ForeignKey(MonthClose, on_delete=models.CASCADE, related_name="rows")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["close", "patient"], name="one_closed_row_per_patient")]
