"""Raising, acknowledging, resolving and escalating alerts.

Every change writes its outbox event (AlertEvent) in the same transaction;
deliveries to the clinic's channels happen after commit (rehab.alerts.services.delivery).
"""

import logging
import threading
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from config import clock
from config.errors import Conflict
from patients.models import Patient, User
from rehab.alerts.codes import CODES
from rehab.alerts.models import Alert, AlertEvent
from rehab.alerts.selectors import alert_payload
from rehab.alerts.services.delivery import delivery_kick
from rehab.care.models import Milestone
from rehab.care.selectors.enrollment import enrollment_rules_source

logger = logging.getLogger(__name__)

ESCALATING = (Alert.Severity.URGENT, Alert.Severity.EMERGENCY)
ESCALATION_BATCH = 500
# An alert that cannot be escalated is tried again this much later: the sweep
# runs every minute, and a broken row must neither hold back the alerts due
# after it nor be retried (and logged) in every run.
ESCALATION_RETRY_AFTER = timedelta(minutes=10)


class AlertTransitionError(Conflict):
    """The alert is not in a state that allows this change."""


@transaction.atomic
def alert_raise(
    *,
    patient: Patient,
    code: str,
    reason: str,
    evidence: dict,
    milestone: Milestone | None = None,
    severity: str | None = None,
) -> tuple[Alert, bool]:
    """Open an alert, or update the open one with the same cause; returns (alert, created).

    The partial unique constraints make this safe under concurrency: a racing
    second insert fails and falls back to updating the winner's row.
    """
    alert_code = CODES[code]
    severity = severity or alert_code.severity
    now = clock.now()
    for _ in range(3):
        existing = _open_alert_for(patient=patient, code=code, milestone=milestone)
        if existing is not None:
            return _alert_refresh(existing, reason=reason, evidence=evidence, severity=severity, now=now), False
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    patient=patient,
                    clinic_id=patient.clinic_id,
                    milestone=milestone,
                    code=code,
                    kind=alert_code.kind,
                    severity=severity,
                    reason=reason,
                    evidence=evidence,
                    created_at=now,
                    updated_at=now,
                    escalate_at=_escalate_at(patient, severity, now),
                )
                _event_write(alert, AlertEvent.Type.CREATED, now)
                return alert, True
        except IntegrityError:
            continue  # another worker opened it first; update theirs
    raise RuntimeError(f"could not raise {code} for patient {patient.pk}")


def _open_alert_for(*, patient: Patient, code: str, milestone: Milestone | None) -> Alert | None:
    qs = Alert.objects.select_for_update().filter(patient=patient, code=code)
    if milestone is not None:
        # One per milestone and code, whatever its status: a review is judged once.
        return qs.filter(milestone=milestone).first()
    return qs.filter(milestone__isnull=True, status=Alert.Status.OPEN).first()


SEVERITY_RANK = {Alert.Severity.ROUTINE: 0, Alert.Severity.URGENT: 1, Alert.Severity.EMERGENCY: 2}


def _alert_refresh(alert: Alert, *, reason: str, evidence: dict, severity: str, now: datetime) -> Alert:
    alert.reason = reason
    alert.evidence = evidence
    alert.updated_at = now
    fields = ["reason", "evidence", "updated_at"]
    # A cause whose severity depends on the patient (a pain spike is urgent
    # after surgery) may come back graver than it was first raised: the open
    # alert takes the graver severity and its escalation clock, never a milder one.
    if alert.status == Alert.Status.OPEN and SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]:
        alert.severity = severity
        alert.escalate_at = _escalate_at(alert.patient, severity, now)
        fields += ["severity", "escalate_at"]
    alert.save(update_fields=fields)
    return alert


def _escalate_at(patient: Patient, severity: str, now: datetime) -> datetime | None:
    if severity not in ESCALATING:
        return None
    rule = (
        "escalate_emergency_after_minutes" if severity == Alert.Severity.EMERGENCY else "escalate_urgent_after_minutes"
    )
    enrollment = enrollment_rules_source(patient)
    if enrollment is None:
        return now  # never enrolled: no protocol to read the delay from, escalate at the next sweep
    minutes = enrollment.protocol_version.definition.rule(rule)
    return now + timedelta(minutes=int(minutes))


def _event_write(alert: Alert, type_: str, now: datetime) -> AlertEvent:
    event = AlertEvent(alert=alert, clinic_id=alert.clinic_id, type=type_, created_at=now)
    event.payload = {
        "id": str(event.id),
        "type": type_,
        "created_at": now.isoformat(),
        "alert": alert_payload(alert),
    }
    event.save()
    _kick_after_commit()
    return event


class _DeliveryKick:
    """The kick shared by every event of one transaction: registered with each
    event, it runs once, after commit.

    Registered with each event rather than once, because a savepoint rolled
    back drops the callbacks registered inside it: whichever copies survive,
    the first to run kicks and the others find it done. A kick whose
    transaction rolled back entirely never ran, so the next transaction on this
    thread takes it over.
    """

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            delivery_kick()


_pending = threading.local()  # connections are per thread, and so are their transactions


def _kick_after_commit() -> None:
    """Deliver as soon as the change is committed; if the broker is down, the
    delivery sweep sends it later (robust: a failed kick never fails the commit).

    One kick per transaction, however many events it writes: the kick's task
    sweeps every pending event, and each kick opens a broker connection, so a
    review sweep raising 1,000 referrals must not send 1,000 tasks.
    """
    kick = getattr(_pending, "kick", None)
    if kick is None or kick.done:
        kick = _pending.kick = _DeliveryKick()
    transaction.on_commit(kick, robust=True)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User, note: str = "") -> Alert:
    now = clock.now()
    changed = Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
        status=Alert.Status.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=now, acknowledge_note=note, updated_at=now
    )
    alert.refresh_from_db()
    if not changed and alert.status != Alert.Status.ACKNOWLEDGED:
        raise AlertTransitionError(f"A {alert.status} alert cannot be acknowledged.")
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, by: User, note: str = "") -> Alert:
    now = clock.now()
    changed = (
        Alert.objects.filter(pk=alert.pk)
        .exclude(status=Alert.Status.RESOLVED)
        .update(status=Alert.Status.RESOLVED, resolved_by=by, resolved_at=now, resolve_note=note, updated_at=now)
    )
    alert.refresh_from_db()
    if changed:
        _event_write(alert, AlertEvent.Type.RESOLVED, now)
    return alert


def alerts_escalate_due(*, now: datetime | None = None, batch_size: int = ESCALATION_BATCH) -> list[int]:
    """Escalate unacknowledged urgent/emergency alerts past their time; returns their ids.

    Batch by batch, each in one transaction: its alerts are claimed with row
    locks (`SELECT ... FOR UPDATE SKIP LOCKED`, re-checked under the lock), so
    two sweeps never escalate the same alert twice. A batch that fails is
    redone alert by alert; an alert that fails alone is logged and tried again
    ESCALATION_RETRY_AFTER later, and the sweep goes on with the rest.
    """
    now = now or clock.now()
    escalated = []
    while True:
        claimed, done = _escalation_batch(now=now, batch_size=batch_size)
        escalated += done
        if claimed < batch_size:
            return escalated


def _escalation_due(now: datetime):
    return (
        Alert.objects.select_for_update(skip_locked=True)
        .filter(status=Alert.Status.OPEN, escalated_at__isnull=True, escalate_at__lte=now)
        .order_by("escalate_at", "id")
    )


def _escalation_batch(*, now: datetime, batch_size: int) -> tuple[int, list[int]]:
    """Escalate one batch; returns (how many were claimed, the ids escalated)."""
    claimed = []
    try:
        with transaction.atomic():
            due = list(_escalation_due(now)[:batch_size])
            claimed = [alert.pk for alert in due]
            for alert in due:
                _alert_escalate(alert, now)
        return len(claimed), claimed
    except Exception:
        if not claimed:
            raise  # the claim itself failed: no alert to blame
        logger.warning("an escalation batch failed; escalating its %d alerts one by one", len(claimed), exc_info=True)
    return len(claimed), [pk for pk in claimed if _alert_escalate_alone(pk, now)]


def _alert_escalate_alone(pk: int, now: datetime) -> bool:
    try:
        with transaction.atomic():
            # Claimed again: the failed batch's locks went with its rollback.
            alert = _escalation_due(now).filter(pk=pk).first()
            if alert is None:
                return False  # acknowledged, or taken by another sweep, meanwhile
            _alert_escalate(alert, now)
            return True
    except Exception:
        # Written after the failed transaction, so the new time is not rolled back with it.
        Alert.objects.filter(pk=pk, status=Alert.Status.OPEN, escalated_at__isnull=True).update(
            escalate_at=now + ESCALATION_RETRY_AFTER
        )
        logger.exception("alert %s could not be escalated; retrying after %s", pk, ESCALATION_RETRY_AFTER)
        return False


def _alert_escalate(alert: Alert, now: datetime) -> None:
    alert.escalated_at = now
    alert.updated_at = now
    alert.save(update_fields=["escalated_at", "updated_at"])
    _event_write(alert, AlertEvent.Type.ESCALATED, now)
