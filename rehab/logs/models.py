"""What a patient logs from the phone, and what a clinician records.

Every patient log carries the phone's `client_id`, unique per patient and log
kind, so a retried request never stores a second record. `local_date` is the
patient's own date of the entry (its time in the patient's zone at arrival),
which the daily means and the reviews group by.
"""

from django.db import models
from django.db.models import Q


class PatientLog(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField()
    local_date = models.DateField()
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True


def _log_meta(name: str) -> dict:
    return {
        "constraints": [models.UniqueConstraint(fields=["patient", "client_id"], name=f"{name}_client_id_unique")],
        "indexes": [
            models.Index(fields=["patient", "local_date"], name=f"{name}_patient_day"),
            models.Index(fields=["patient", "received_at"], name=f"{name}_patient_received"),
        ],
    }


class PainLog(PatientLog):
    class Context(models.TextChoices):
        REST = "rest"
        ACTIVITY = "activity"
        MORNING = "morning"
        AFTER_EXERCISE = "after_exercise"
        NIGHT = "night"

    recorded_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField()
    context = models.CharField(max_length=20, choices=Context.choices, default=Context.REST)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "rehab_painlog"  # named before the apps were split (README, "Tables")
        constraints = [
            *_log_meta("painlog")["constraints"],
            models.CheckConstraint(condition=Q(score__lte=10), name="pain_score_0_10"),
        ]
        indexes = [
            *_log_meta("painlog")["indexes"],
            # The pain rules add up a window of instants (rehab.logs.selectors.pain_windows) and the phone
            # lists the newest entries: both from the index alone, whatever the history (PostgreSQL covers
            # context and score; other databases index the keys only).
            models.Index(
                fields=["patient", "recorded_at", "id"], include=["context", "score"], name="painlog_patient_time"
            ),
            # The morning weeks of the morning-pain rule, by local date.
            models.Index(
                fields=["patient", "local_date"],
                include=["score"],
                condition=Q(context="morning"),
                name="painlog_patient_mornings",
            ),
        ]
        ordering = ["-recorded_at"]


class ExerciseLog(PatientLog):
    performed_at = models.DateTimeField()
    exercise = models.SlugField(max_length=80)
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField()
    completed = models.BooleanField()
    pain_during = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = "rehab_exerciselog"  # named before the apps were split (README, "Tables")
        constraints = [
            *_log_meta("exerciselog")["constraints"],
            models.CheckConstraint(
                condition=Q(pain_during__isnull=True) | Q(pain_during__lte=10), name="exercise_pain_0_10"
            ),
        ]
        indexes = _log_meta("exerciselog")["indexes"]
        ordering = ["-performed_at"]


class VisaAResponse(PatientLog):
    """A VISA-A questionnaire: each item stored, the total computed (rehab.visa_a)."""

    completed_at = models.DateTimeField()
    q1 = models.PositiveSmallIntegerField()
    q2 = models.PositiveSmallIntegerField()
    q3 = models.PositiveSmallIntegerField()
    q4 = models.PositiveSmallIntegerField()
    q5 = models.PositiveSmallIntegerField()
    q6 = models.PositiveSmallIntegerField()
    q7 = models.PositiveSmallIntegerField()
    q8_branch = models.CharField(max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    q8 = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "rehab_visaaresponse"  # named before the apps were split (README, "Tables")
        constraints = [
            *_log_meta("visaa")["constraints"],
            models.CheckConstraint(condition=Q(score__lte=100), name="visa_a_score_0_100"),
        ]
        indexes = _log_meta("visaa")["indexes"]
        ordering = ["-completed_at"]
        verbose_name = "VISA-A response"


class SymptomReport(PatientLog):
    reported_at = models.DateTimeField()
    symptoms = models.JSONField()
    note = models.TextField(blank=True)
    # The advice given when it arrived, kept as given (the table may change later).
    tier = models.CharField(max_length=20)
    advice = models.CharField(max_length=300)

    class Meta:
        db_table = "rehab_symptomreport"  # named before the apps were split (README, "Tables")
        constraints = _log_meta("symptomreport")["constraints"]
        indexes = _log_meta("symptomreport")["indexes"]
        ordering = ["-reported_at"]


class MedicationLog(PatientLog):
    class Kind(models.TextChoices):
        NSAID = "nsaid"
        CORTICOSTEROID_INJECTION = "corticosteroid_injection"
        OTHER = "other"

    class Route(models.TextChoices):
        ORAL = "oral"
        TOPICAL = "topical"
        INJECTION = "injection"

    class Site(models.TextChoices):
        ACHILLES = "achilles"
        HEEL = "heel"
        OTHER = "other"
        UNKNOWN = "unknown"

    HO_PROPHYLAXIS = "ho_prophylaxis"

    taken_on = models.DateField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200, blank=True)
    route = models.CharField(max_length=10, choices=Route.choices)
    site = models.CharField(max_length=10, choices=Site.choices, blank=True)
    indication = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "rehab_medicationlog"  # named before the apps were split (README, "Tables")
        constraints = _log_meta("medicationlog")["constraints"]
        indexes = [
            *_log_meta("medicationlog")["indexes"],
            models.Index(fields=["patient", "kind", "taken_on"], name="medicationlog_kind_day"),
        ]
        ordering = ["-taken_on"]


def patient_log_models() -> tuple[type[PatientLog], ...]:
    """Every kind of patient log, in the order declared here: what a sweep over all logs reads.

    Derived, not listed: a new kind is a new PatientLog subclass and nothing else here.
    (The API's view of each kind, its paths and serializers, is rehab.intake.registry.)
    """
    return tuple(PatientLog.__subclasses__())
