"""The alert as clinics' systems see it (the API list and the webhook body).

Carries no free text a patient or clinician typed: no notes. The patient is
named by id and the clinic's own display_name label.
"""

from rehab.alerts.models import Alert


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "display_name": user.display_name or user.username}


def alert_payload(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "patient": {"id": alert.patient_id, "display_name": alert.patient.display_name},
        "kind": alert.kind,
        "severity": alert.severity,
        "code": alert.code,
        "milestone": alert.milestone.code if alert.milestone_id else None,
        "reason": alert.reason,
        "evidence": alert.evidence,
        "created_at": alert.created_at.isoformat(),
        "status": alert.status,
        "acknowledged_by": _person(alert.acknowledged_by),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "escalated_at": alert.escalated_at.isoformat() if alert.escalated_at else None,
    }
