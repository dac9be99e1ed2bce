"""Sending due reminders: claim them, hand each to the patient's phones, push.

A claimed reminder becomes one push Delivery per enabled device and is
marked sent in the same transaction, so a reminder is handed on once; the
deliveries are then sent outside the transaction with their own retries.
"""

from datetime import datetime, timedelta

from django.db import transaction

from config import clock
from patients.models import Patient
from rehab.models import Delivery, Device, Reminder
from rehab.services.delivery import deliveries_send_due
from rehab.services.reminders.planner import reminders_cancel_for_discharged
from rehab.services.reminders.quiet import quiet_hours_end_after

BATCH = 500
# Later than this, "tomorrow your heel lift changes" may be wrong: drop it.
STALE_AFTER = timedelta(hours=6)


def reminders_send_due(*, now: datetime | None = None) -> dict:
    now = now or clock.now()
    counts = {"cancelled_discharged": reminders_cancel_for_discharged(), "handed_on": 0, "held": 0, "stale": 0}
    while True:
        claimed = _hand_on_batch(now=now, counts=counts)
        if claimed < BATCH:
            break
    counts["push"] = deliveries_send_due(for_reminders=True, now=now)
    return counts


def _hand_on_batch(*, now: datetime, counts: dict) -> int:
    with transaction.atomic():
        due = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient")
            .filter(status=Reminder.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "id")[:BATCH]
        )
        to_send, held, stale = _sort(due, now=now)
        devices = Device.objects.filter(
            patient_id__in={r.patient_id for r in to_send}, disabled_at__isnull=True
        ).values_list("patient_id", "token")
        tokens: dict[int, list[str]] = {}
        for patient_id, token in devices:
            tokens.setdefault(patient_id, []).append(token)
        Delivery.objects.bulk_create(
            [
                Delivery(reminder=r, channel=Delivery.Channel.PUSH, target=t, next_attempt_at=now, created_at=now)
                for r in to_send
                for t in tokens.get(r.patient_id, [])
            ],
            ignore_conflicts=True,
        )
        Reminder.objects.filter(id__in=[r.id for r in to_send]).update(status=Reminder.Status.SENT, sent_at=now)
        Reminder.objects.filter(id__in=[r.id for r in stale]).update(status=Reminder.Status.CANCELLED)
        Reminder.objects.bulk_update(held, ["due_at"])
    counts["handed_on"] += len(to_send)
    counts["held"] += len(held)
    counts["stale"] += len(stale)
    return len(due)


def _sort(due: list[Reminder], *, now: datetime):
    """Which reminders go now, which wait for the end of quiet hours, which are too late to mean anything."""
    to_send, held, stale = [], [], []
    for r in due:
        if r.patient.status != Patient.Status.ACTIVE or now - r.due_at > STALE_AFTER:
            stale.append(r)
            continue
        quiet_end = quiet_hours_end_after(now, r.patient)
        if quiet_end is None:
            to_send.append(r)
        elif quiet_end - r.due_at > STALE_AFTER:
            stale.append(r)
        else:
            r.due_at = quiet_end
            held.append(r)
    return to_send, held, stale
