"""Sending due reminders: claim them, hand each to the patient's phones, push.

A claimed reminder becomes one push Delivery per enabled device and is
marked sent in the same transaction, so a reminder is handed on once; the
deliveries are then sent outside the transaction with their own retries.
"""

from datetime import datetime, timedelta

from django.db import transaction

from config import clock
from patients.models import Device, Patient
from rehab.alerts.models import Delivery
from rehab.alerts.services.delivery import deliveries_send_due
from rehab.reminders.models import Reminder
from rehab.reminders.services.planner import reminders_cancel_for_discharged
from rehab.reminders.services.quiet import quiet_hours_end_after

BATCH = 500
# Later than this, "tomorrow your heel lift changes" may be wrong: drop it.
STALE_AFTER = timedelta(hours=6)
PATIENT_FIELDS = ("patient__status", "patient__timezone", "patient__quiet_hours_start", "patient__quiet_hours_end")


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
        # Plain values: a sweep every few minutes over every due reminder need not build two models per row.
        due = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Reminder.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values("id", "patient_id", "due_at", *PATIENT_FIELDS)[:BATCH]
        )
        to_send, held, stale = _sort(due, now=now)
        devices = Device.objects.filter(
            patient_id__in={r["patient_id"] for r in to_send}, disabled_at__isnull=True
        ).values_list("patient_id", "token")
        tokens: dict[int, list[str]] = {}
        for patient_id, token in devices:
            tokens.setdefault(patient_id, []).append(token)
        push, routine = Delivery.Channel.PUSH, Delivery.Priority.ROUTINE  # a late reminder is noise, not danger
        Delivery.objects.bulk_create(
            [
                Delivery(
                    reminder_id=r["id"], channel=push, target=t, priority=routine, next_attempt_at=now, created_at=now
                )
                for r in to_send
                for t in tokens.get(r["patient_id"], [])
            ],
            ignore_conflicts=True,
        )
        Reminder.objects.filter(id__in=[r["id"] for r in to_send]).update(status=Reminder.Status.SENT, sent_at=now)
        Reminder.objects.filter(id__in=[r["id"] for r in stale]).update(status=Reminder.Status.CANCELLED)
        Reminder.objects.bulk_update([Reminder(id=r["id"], due_at=r["due_at"]) for r in held], ["due_at"])
    counts["handed_on"] += len(to_send)
    counts["held"] += len(held)
    counts["stale"] += len(stale)
    return len(due)


def _sort(due: list[dict], *, now: datetime):
    """Which reminders go now, which wait for the end of quiet hours, which are too late to mean anything."""
    to_send, held, stale = [], [], []
    quiet_ends = {}  # most patients share a zone and quiet hours
    for r in due:
        if r["patient__status"] != Patient.Status.ACTIVE or now - r["due_at"] > STALE_AFTER:
            stale.append(r)
            continue
        quiet = (r["patient__timezone"], r["patient__quiet_hours_start"], r["patient__quiet_hours_end"])
        if quiet not in quiet_ends:
            quiet_ends[quiet] = quiet_hours_end_after(now, *quiet)
        quiet_end = quiet_ends[quiet]
        if quiet_end is None:
            to_send.append(r)
        elif quiet_end - r["due_at"] > STALE_AFTER:
            stale.append(r)
        else:
            r["due_at"] = quiet_end
            held.append(r)
    return to_send, held, stale
