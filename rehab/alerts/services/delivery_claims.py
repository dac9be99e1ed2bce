"""Claims on deliveries being sent: a heartbeat while the worker lives, handed on when it stops.

A sender claims a batch (status "sending", a claim token, claimed_at and
heartbeat_at) and sends it outside any transaction. While it sends, a thread
of its own renews the batch's heartbeat every quarter of the shortest stale
window, so a batch that takes long (a slow receiver, many sends at the
webhook timeout) is never taken for dead and sent twice. A worker that is
killed takes its thread with it: its heartbeat stops, and once it is stale the
sweep puts the deliveries back to pending for another worker.

How stale is stale depends on the delivery's priority: an urgent or emergency
alert is sent again within a minute of its worker's last beat
(DELIVERY_URGENT_CLAIM_TIMEOUT_SECONDS), so with the sweep every minute it
goes out within two; an emergency escalates after 15 minutes. Routine ones
keep the longer DELIVERY_CLAIM_TIMEOUT_SECONDS.

The sender records the outcome only on the claim it holds (its token), so a
worker that was taken for dead and woke up cannot overwrite another's.
"""

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q

from config import clock
from rehab.alerts.models import Delivery

logger = logging.getLogger(__name__)

# Beats per stale window: a beat or two late (a slow database) does not lose the claim.
BEATS_PER_WINDOW = 4


def claim_timeout(priority: int) -> timedelta:
    """How long a claim may go without a heartbeat before its worker is taken for dead."""
    routine = settings.DELIVERY_CLAIM_TIMEOUT_SECONDS
    if priority >= Delivery.Priority.URGENT:
        return timedelta(seconds=min(settings.DELIVERY_URGENT_CLAIM_TIMEOUT_SECONDS, routine))
    return timedelta(seconds=routine)


def heartbeat_interval() -> float:
    return claim_timeout(Delivery.Priority.URGENT).total_seconds() / BEATS_PER_WINDOW


def _silent_since(cutoff: datetime) -> Q:
    # A claim made before heartbeats were kept has only its claimed_at.
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, claimed_at__lt=cutoff)


def deliveries_requeue_stuck(*, now: datetime | None = None) -> int:
    """Deliveries whose claim's heartbeat went stale (their worker died) are pending again."""
    now = now or clock.now()
    urgent, routine = Delivery.Priority.URGENT, Delivery.Priority.ROUTINE
    stale = (Q(priority__gte=urgent) & _silent_since(now - claim_timeout(urgent))) | (
        Q(priority=routine) & _silent_since(now - claim_timeout(routine))
    )
    return (
        Delivery.objects.filter(status=Delivery.Status.SENDING)
        .filter(stale)
        .update(status=Delivery.Status.PENDING, claimed_at=None, claim_token=None, heartbeat_at=None)
    )


@contextmanager
def claims_kept_alive(claim: uuid.UUID) -> Iterator[None]:
    """Renew the heartbeat of the deliveries held under `claim` until the block ends.

    On a thread, not between sends: one send may take the whole webhook
    timeout, and nothing between sends would run meanwhile.
    """
    stop = threading.Event()
    beat = threading.Thread(
        target=_beat, args=(claim, stop, heartbeat_interval()), name=f"delivery-heartbeat-{claim}", daemon=True
    )
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()


def _beat(claim: uuid.UUID, stop: threading.Event, every: float) -> None:
    try:
        while not stop.wait(every):
            try:
                # Only what is still held: a recorded delivery has given its claim up.
                Delivery.objects.filter(status=Delivery.Status.SENDING, claim_token=claim).update(
                    heartbeat_at=clock.now()
                )
            except DatabaseError:
                logger.warning("could not renew delivery claim %s; it may be sent again", claim, exc_info=True)
    finally:
        connection.close()  # the thread's own connection
