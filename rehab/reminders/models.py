from django.db import models
from django.db.models import Q


class Reminder(models.Model):
    """A message to a patient that falls due at a local time, swept by beat.

    Rows, never long Celery ETAs (Redis redelivers anything older than its
    visibility timeout). `slot` names the occasion ("2026-03-01" for a daily
    exercise reminder, "boot-removal:eve" for a transition), and one reminder
    exists per patient, kind and slot however often the planner runs.
    """

    class Kind(models.TextChoices):
        EXERCISE = "exercise"
        PAIN_NUDGE = "pain_nudge"
        PHASE_CHANGE = "phase_change"
        MILESTONE = "milestone"
        QUESTIONNAIRE = "questionnaire"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        CANCELLED = "cancelled"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    slot = models.CharField(max_length=80)
    due_at = models.DateTimeField()
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=400)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "rehab_reminder"  # named before the apps were split (README, "Tables")
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind", "slot"], name="one_reminder_per_slot"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="reminder_pending_due"),
        ]
