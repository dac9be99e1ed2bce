"""Raising, acknowledging, resolving and escalating alerts.

Every change writes its outbox event (AlertEvent) in the same transaction;
deliveries to the clinic's channels happen after commit (rehab.services.delivery).
"""

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

ESCALATING = (Alert.Severity.URGENT, Alert.Severity.EMERGENCY)


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
    spec = CODES[code]
    severity = severity or spec.severity
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
                    kind=spec.kind,
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
    minutes = enrollment.protocol_version.spec.rule(rule)
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


def _kick_after_commit() -> None:
    """Deliver as soon as the change is committed; if the broker is down, the
    delivery sweep sends it later (robust: a failed kick never fails the commit).

    One kick per transaction, however many events it writes: the kick's task
    sweeps every pending event, and each kick opens a broker connection, so a
    review sweep raising 1,000 referrals must not send 1,000 tasks. A kick
    still registered covers this event: it was registered in a savepoint that
    encloses this one or was already released, so it can only be dropped by a
    rollback that drops this event too.
    """
    if any(func is delivery_kick for _sids, func, _robust in transaction.get_connection().run_on_commit):
        return
    transaction.on_commit(delivery_kick, robust=True)


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


def alerts_escalate_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Escalate unacknowledged urgent/emergency alerts past their time; returns their ids.

    The conditional UPDATE claims each alert once, so two sweeps never
    escalate the same alert twice.
    """
    now = now or clock.now()
    escalated = []
    with transaction.atomic():
        due = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(status=Alert.Status.OPEN, escalated_at__isnull=True, escalate_at__lte=now)
            .order_by("escalate_at")[:limit]
        )
        for alert in due:
            alert.escalated_at = now
            alert.updated_at = now
            alert.save(update_fields=["escalated_at", "updated_at"])
            _event_write(alert, AlertEvent.Type.ESCALATED, now)
            escalated.append(alert.pk)
    return escalated
