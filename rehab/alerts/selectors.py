"""The alert as clinics' systems see it (the API list and the webhook body).

Carries no free text a patient or clinician typed: no notes. The patient is
named by id and the clinic's own display_name label.
"""

from django.db.models import Case, IntegerField, QuerySet, Value, When

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


# --- the clinic's inbox (the web dashboard) -----------------------------------------------------------------
URGENT_SEVERITIES = (Alert.Severity.EMERGENCY, Alert.Severity.URGENT)


def open_urgent_count(*, clinic_id: int) -> int:
    """Open emergency and urgent alerts of a clinic: the top bar's count (one indexed query)."""
    return Alert.objects.filter(clinic_id=clinic_id, status=Alert.Status.OPEN, severity__in=URGENT_SEVERITIES).count()


def clinic_alerts_inbox(*, clinic_id: int, filters: dict) -> QuerySet[Alert]:
    """A clinic's alerts, gravest first and then oldest first (the one waiting longest is read first).

    `filters` are the API's list filters (status, kind, severity, patient), already validated.
    """
    filters = {("patient_id" if k == "patient" else k): v for k, v in filters.items() if v not in (None, "")}
    gravity = Case(
        When(severity=Alert.Severity.EMERGENCY, then=Value(0)),
        When(severity=Alert.Severity.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Alert.objects.filter(clinic_id=clinic_id, **filters)
        .select_related("patient", "milestone__enrollment", "milestone__decided_by", "acknowledged_by", "resolved_by")
        .annotate(gravity=gravity)
        .order_by("gravity", "created_at", "id")
    )
