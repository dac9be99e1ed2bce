"""Reading the clinic's webhook deliveries: what its settings page lists."""

from django.db.models import F, OuterRef, Subquery

from rehab.alerts.models import AlertEvent, Delivery, DeliveryAttempt

WEBHOOK_DELIVERIES_SHOWN = 50


def webhook_deliveries_recent(*, clinic_id: int, limit: int = WEBHOOK_DELIVERIES_SHOWN) -> list[dict]:
    """The clinic's latest webhook deliveries, newest first, each with its last attempt's response code."""
    last_attempt = DeliveryAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-at", "-id")
    return list(
        Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK, event__clinic_id=clinic_id)
        .annotate(
            event_type=F("event__type"),
            response_code=Subquery(last_attempt.values("status_code")[:1]),
            last_attempt_at=Subquery(last_attempt.values("at")[:1]),
        )
        .order_by("-created_at", "-id")
        .values(
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "response_code",
            "last_attempt_at",
            "created_at",
            "delivered_at",
            "next_attempt_at",
            "last_error",
        )[:limit]
    )


def events_waiting(*, clinic_id: int) -> bool:
    """Whether the clinic has events not yet fanned out to their deliveries (just written, before a sweep)."""
    return AlertEvent.objects.filter(clinic_id=clinic_id, dispatched_at__isnull=True).exists()
