from django.conf import settings
from django.db import models
from django.db.models import Q


class Enrollment(models.Model):
    """A patient on one protocol version from a start date (day 0).

    Enrolments never overlap: moving a patient ends the old one the day before
    the new start. History is kept; the current one is the one whose dates
    cover today.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="enrollments")
    protocol_version = models.ForeignKey("protocols.ProtocolVersion", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(help_text="Day 0: first day of conservative care, or the day of surgery.")
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why the patient was put on this protocol.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not before this does the engagement sweep look at the enrolment again.
    # Set only when it failed to evaluate, so one broken row is neither
    # retried in every sweep nor able to stop the rows after it.
    engagement_check_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rehab_enrollment"  # named before the apps were split (README, "Tables")
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=Q(end_date__isnull=True), name="one_open_enrollment"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrollment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["patient", "start_date"])]
        ordering = ["patient_id", "-start_date"]

    def __str__(self) -> str:
        return f"{self.patient} on {self.protocol_version} from {self.start_date}"


class Milestone(models.Model):
    """A dated milestone of one enrolment, with its outcome once decided."""

    class Status(models.TextChoices):
        PENDING = "pending"
        OPEN = "open"
        MET = "met"
        NOT_MET = "not_met"
        NOT_JUDGEABLE = "not_judgeable"
        BRIDGE = "bridge"
        DONE = "done"
        CANCELLED = "cancelled"
        SKIPPED = "skipped"

    UNDECIDED = (Status.PENDING, Status.OPEN)

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="milestones")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)  # baseline, review, check, transition (from the definition)
    position = models.PositiveSmallIntegerField(help_text="Order in the definition: ties of next_milestone go first.")
    window_start = models.DateField()
    window_end = models.DateField()
    # When the backend must act: the window's end (local midnight) plus the
    # grace period for offline phones. Swept by beat.
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "rehab_milestone"  # named before the apps were split (README, "Tables")
        constraints = [models.UniqueConstraint(fields=["enrollment", "code"], name="milestone_code_per_enrollment")]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status__in=["pending", "open"]), name="milestone_undecided_due"
            ),
            # The hourly "which reviews opened" read (rehab.services.review_sweep.milestones_open_due).
            models.Index(
                fields=["window_start"], condition=Q(status="pending", kind="review"), name="milestone_review_opens"
            ),
        ]
        ordering = ["enrollment_id", "position"]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"

    @property
    def is_decided(self) -> bool:
        return self.status not in self.UNDECIDED


class ClinicalEvent(models.Model):
    """Something a clinician records or plans: injections, imaging, referral, surgery."""

    class Kind(models.TextChoices):
        CORTICOSTEROID_INJECTION = "corticosteroid_injection"
        IMAGING = "imaging"
        SURGICAL_REFERRAL = "surgical_referral"
        SURGERY = "surgery"
        BRIDGE_IMMOBILISATION = "bridge_immobilisation"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="clinical_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField()
    # imaging: {"modality": "radiograph"|"bone_scan", "ho_maturity": "immature"|"mature"}
    # corticosteroid_injection: {"site": "achilles"|"heel"|"other"|"unknown"}
    details = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "rehab_clinicalevent"  # named before the apps were split (README, "Tables")
        indexes = [models.Index(fields=["patient", "kind", "date"])]
        ordering = ["-date", "-id"]
