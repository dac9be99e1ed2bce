import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Alert(models.Model):
    """Something the clinic must look at: a referral, a safety rule, a red flag.

    At most one open alert per patient and code (per milestone for review
    codes): the same cause again updates the open alert's evidence. A cause
    that comes back after the clinic acknowledged the alert opens a new one, so
    nothing that happens later is hidden behind an old acknowledgement.
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral"
        ENGAGEMENT = "engagement"
        RED_FLAG = "red_flag"
        SAFETY = "safety"
        GUARDRAIL = "guardrail"

    class Severity(models.TextChoices):
        ROUTINE = "routine"
        URGENT = "urgent"
        EMERGENCY = "emergency"

    class Status(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="alerts")
    # Denormalised from the patient: every clinician query scopes on it.
    clinic = models.ForeignKey("patients.Clinic", on_delete=models.CASCADE, related_name="alerts")
    milestone = models.ForeignKey("care.Milestone", null=True, blank=True, on_delete=models.CASCADE)
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    reason = models.TextField(help_text="Generated text; never free text a person typed.")
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolve_note = models.TextField(blank=True)
    # When an unacknowledged urgent/emergency alert escalates to the clinic admin.
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rehab_alert"  # named before the apps were split (README, "Tables")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=Q(status="open", milestone__isnull=True),
                name="one_open_alert_per_patient_code",
            ),
            # A milestone's referral is raised once, whatever its later status.
            models.UniqueConstraint(
                fields=["milestone", "code"],
                condition=Q(milestone__isnull=False),
                name="one_alert_per_milestone_code",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "-created_at"], name="alert_clinic_status"),
            models.Index(fields=["patient", "status"], name="alert_patient_status"),
            models.Index(
                fields=["escalate_at"],
                condition=Q(status="open", escalated_at__isnull=True, escalate_at__isnull=False),
                name="alert_escalation_due",
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} for {self.patient} ({self.status})"


class AlertEvent(models.Model):
    """The outbox: written in the transaction that changes the alert.

    Its `id` is the event id a clinic dedupes on; the payload is frozen when
    the event happens, so a retry days later sends the same body. A
    `patient.erased` event belongs to no alert: it names the patient's id only.
    Nor does an `alert.test` (a clinic admin's "send a test event"): its payload
    carries a sample alert marked `"test": true`.
    """

    class Type(models.TextChoices):
        CREATED = "alert.created"
        ESCALATED = "alert.escalated"
        RESOLVED = "alert.resolved"
        PATIENT_ERASED = "patient.erased"
        TEST = "alert.test"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    clinic = models.ForeignKey("patients.Clinic", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    created_at = models.DateTimeField()
    payload = models.JSONField()
    # Set once the event's deliveries were fanned out to each channel.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rehab_alertevent"  # named before the apps were split (README, "Tables")
        indexes = [
            models.Index(fields=["created_at"], condition=Q(dispatched_at__isnull=True), name="alertevent_undispatched")
        ]
        ordering = ["created_at"]
