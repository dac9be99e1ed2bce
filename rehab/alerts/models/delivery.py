from django.db import models
from django.db.models import Q


class WebhookEndpoint(models.Model):
    """Where a clinic receives its alert events; signed with its secret."""

    clinic = models.OneToOneField("patients.Clinic", on_delete=models.CASCADE, related_name="webhook")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rehab_webhookendpoint"  # named before the apps were split (README, "Tables")


class Delivery(models.Model):
    """One event (or reminder) to one channel and target: delivered at least once.

    Unique per source and channel/target, so a sweep that runs twice, or two
    workers at once, never creates a second delivery of the same thing.
    """

    class Channel(models.TextChoices):
        WEBHOOK = "webhook"
        EMAIL = "email"
        PUSH = "push"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        DELIVERED = "delivered"
        FAILED = "failed"  # permanent: gave up, or the target refused for good

    class Priority(models.IntegerChoices):
        """The alert's severity (reminders and resolutions are routine); higher goes first."""

        ROUTINE = 0, "routine"
        URGENT = 1, "urgent"
        EMERGENCY = 2, "emergency"

    event = models.ForeignKey("alerts.AlertEvent", null=True, blank=True, on_delete=models.CASCADE)
    reminder = models.ForeignKey("reminders.Reminder", null=True, blank=True, on_delete=models.CASCADE)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=600, help_text="Endpoint id, device token or email address.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.ROUTINE)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A claim: which sender holds the delivery, since when, and when it last
    # said it is alive. A claim whose heartbeat went stale belongs to a worker
    # that died, and is handed on (rehab.alerts.services.delivery).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "rehab_delivery"  # named before the apps were split (README, "Tables")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "target"], condition=Q(event__isnull=False), name="one_delivery_per_event"
            ),
            models.UniqueConstraint(
                fields=["reminder", "channel", "target"],
                condition=Q(reminder__isnull=False),
                name="one_delivery_per_reminder",
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False) ^ Q(reminder__isnull=False), name="delivery_has_one_source"
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="delivery_sending_claimed"),
        ]


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "rehab_deliveryattempt"  # named before the apps were split (README, "Tables")
        ordering = ["-at"]
