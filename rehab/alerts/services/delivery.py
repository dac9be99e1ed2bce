"""The outbox, delivered: alert events fanned out to channels, sent after commit, retried.

At least once, never lost: an event becomes one Delivery per channel and
target (unique), a sender claims pending deliveries with a conditional UPDATE
and sends outside any transaction, and a sweeper puts back deliveries left in
"sending" by a worker that died. Every attempt is recorded. The clinic
dedupes on the event id, which every retry keeps.

Each delivery carries its alert's priority: urgent ones are claimed and sent
first, and one whose worker died is handed on within minutes, where routine
ones wait longer (delivery_claims).
"""

import logging
import time
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F

from config import clock
from patients.selectors import clinic_admin_emails
from rehab.alerts.channels import PermanentError, TransientError, channel_for
from rehab.alerts.models import Alert, AlertEvent, Delivery, DeliveryAttempt, WebhookEndpoint
from rehab.alerts.services.delivery_claims import claims_kept_alive, deliveries_requeue_stuck

logger = logging.getLogger(__name__)

FAN_OUT_BATCH = 500
SEND_BATCH = 20
KICK_TIMEOUT_SECONDS = 1
DELIVER_TASK = "rehab.tasks.deliver_pending"
# Growing delays between attempts; the last repeats until the channel's retry_for has passed.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360)]
PRIORITY_OF_SEVERITY = {
    Alert.Severity.ROUTINE: Delivery.Priority.ROUTINE,
    Alert.Severity.URGENT: Delivery.Priority.URGENT,
    Alert.Severity.EMERGENCY: Delivery.Priority.EMERGENCY,
}
# Most urgent first, then the longest waiting.
SEND_ORDER = ("-priority", "next_attempt_at", "id")


def delivery_kick() -> None:
    """Ask a worker to deliver now (called after commit). Beat's sweep covers a broker that is down."""
    try:
        # One quick try on its own connection: a request must not wait seconds
        # for kombu's reconnect loop when the broker is down.
        with current_app.connection_for_write(connect_timeout=KICK_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=0, timeout=KICK_TIMEOUT_SECONDS)
            # By name: the task (rehab.jobs) sits above this app and calls delivery_sweep.
            current_app.signature(DELIVER_TASK).apply_async(connection=connection, retry=False)
    except Exception:
        logger.warning("broker unavailable; the next delivery sweep will send the pending events", exc_info=True)


def events_fan_out(*, now: datetime | None = None, limit: int = FAN_OUT_BATCH) -> int:
    """Create the deliveries of undispatched events: webhook if active, admin email for escalations."""
    now = now or clock.now()
    with transaction.atomic():
        events = list(
            AlertEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(dispatched_at__isnull=True)
            .annotate(severity=F("alert__severity"))
            .order_by("created_at")[:limit]
        )
        if not events:
            return 0
        clinic_ids = {e.clinic_id for e in events}
        endpoints = dict(
            WebhookEndpoint.objects.filter(clinic_id__in=clinic_ids, active=True).values_list("clinic_id", "id")
        )
        admins = clinic_admin_emails(clinic_ids)
        rows = []
        for event in events:
            if event.clinic_id in endpoints:
                rows.append(_delivery(event, Delivery.Channel.WEBHOOK, str(endpoints[event.clinic_id]), now))
            if event.type == AlertEvent.Type.ESCALATED:
                rows.extend(_delivery(event, Delivery.Channel.EMAIL, to, now) for to in admins.get(event.clinic_id, []))
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        AlertEvent.objects.filter(id__in=[e.id for e in events]).update(dispatched_at=now)
    return len(events)


def _delivery(event: AlertEvent, channel: str, target: str, now: datetime) -> Delivery:
    return Delivery(
        event=event, channel=channel, target=target, priority=_priority(event), next_attempt_at=now, created_at=now
    )


def _priority(event: AlertEvent) -> int:
    # News that an alert was resolved, or that a patient was erased, asks nobody to act, nor does a
    # test event: they wait their turn like routine news.
    if event.type in (AlertEvent.Type.RESOLVED, AlertEvent.Type.PATIENT_ERASED, AlertEvent.Type.TEST):
        return Delivery.Priority.ROUTINE
    return PRIORITY_OF_SEVERITY[event.severity]


def deliveries_send_due(*, for_reminders: bool = False, now: datetime | None = None, limit: int = SEND_BATCH) -> dict:
    """Claim due deliveries batch by batch and send each; returns counts by outcome."""
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    while True:
        claim = uuid.uuid4()
        claimed = _claim(claim, for_reminders=for_reminders, now=now or clock.now(), limit=limit)
        if claimed:
            with claims_kept_alive(claim):
                for delivery in claimed:
                    counts[_send(delivery)] += 1
        if len(claimed) < limit:
            return counts


def _claim(claim: uuid.UUID, *, for_reminders: bool, now: datetime, limit: int) -> list[Delivery]:
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now, reminder__isnull=not for_reminders)
            .order_by(*SEND_ORDER)
            .values_list("id", flat=True)[:limit]
        )
        Delivery.objects.filter(id__in=ids).update(
            status=Delivery.Status.SENDING, claimed_at=now, claim_token=claim, heartbeat_at=now
        )
    return list(Delivery.objects.filter(id__in=ids).select_related("event", "reminder").order_by(*SEND_ORDER))


def _send(delivery: Delivery) -> str:
    """One attempt, outside any transaction; records it and moves the delivery on."""
    channel = channel_for(delivery.channel)
    started = time.monotonic()
    status_code, error, outcome = None, "", "delivered"
    try:
        status_code = channel.send(delivery)
    except PermanentError as exc:
        status_code, error, outcome = exc.status_code, str(exc), "failed"
        channel.on_permanent_failure(delivery, exc)
    except Exception as exc:  # TransientError, and anything unforeseen: try again later
        status_code = getattr(exc, "status_code", None)
        error, outcome = f"{type(exc).__name__}: {exc}", "retry"
        if not isinstance(exc, TransientError):
            logger.exception("unexpected error delivering %s", delivery.pk)
    now = clock.now()
    elapsed = int((time.monotonic() - started) * 1000)
    if outcome == "retry" and now - delivery.created_at >= channel.retry_for:
        outcome = "failed"  # retried for the channel's whole window; give up
    _record(delivery, outcome=outcome, status_code=status_code, error=error, now=now, elapsed_ms=elapsed)
    return outcome


def _record(delivery: Delivery, *, outcome: str, status_code, error: str, now: datetime, elapsed_ms: int) -> None:
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_error": error[:2000], "claimed_at": None, "claim_token": None,
              "heartbeat_at": None}  # fmt: skip
    if outcome == "delivered":
        fields.update(status=Delivery.Status.DELIVERED, delivered_at=now)
    elif outcome == "failed":
        fields.update(status=Delivery.Status.FAILED)
    else:
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        fields.update(status=Delivery.Status.PENDING, next_attempt_at=now + delay)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, at=now, ok=outcome == "delivered", status_code=status_code, error=error[:2000],
            duration_ms=elapsed_ms,
        )  # fmt: skip
        # Only the claim we hold: a sweeper may have taken us for dead and handed it to another worker.
        Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(**fields)


def delivery_sweep(*, now: datetime | None = None) -> dict:
    """What beat runs every minute and a commit kicks: put back stuck ones, fan out, send."""
    requeued = deliveries_requeue_stuck(now=now)
    fanned = 0
    while batch := events_fan_out(now=now):
        fanned += batch
        if batch < FAN_OUT_BATCH:
            break
    return {"requeued": requeued, "events_fanned_out": fanned, **deliveries_send_due(now=now)}
