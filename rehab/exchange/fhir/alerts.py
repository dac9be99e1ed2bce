"""Alerts: referrals as ServiceRequests, every open alert as a Flag, safety alerts also as DetectedIssues."""

from rehab.alerts.models import Alert
from rehab.exchange.fhir import codes as c
from rehab.exchange.fhir.codes import Codes
from rehab.exchange.fhir.people import organization_id, patient_ref, ref


def alert_resources(alert: Alert, codes: Codes) -> list[dict]:
    found = []
    if alert.kind == Alert.Kind.REFERRAL:
        found.append(service_request(alert, codes))
    if alert.status == Alert.Status.OPEN:
        found.append(flag(alert, codes))
    if alert.kind == Alert.Kind.SAFETY:
        found.append(detected_issue(alert, codes))
    return found


def service_request(alert: Alert, codes: Codes) -> dict:
    """A referral the rules raised: a proposal to the clinic, done once the alert is resolved."""
    return {
        "resourceType": "ServiceRequest",
        "id": f"referral-{alert.pk}",
        "status": "completed" if alert.status == Alert.Status.RESOLVED else "active",
        "intent": "proposal",
        "priority": c.REQUEST_PRIORITY_OF_SEVERITY[alert.severity],
        "code": codes.concept("alert-code", alert.code, "Referral"),
        "subject": patient_ref(alert.patient_id),
        "authoredOn": alert.created_at.isoformat(),
        "reasonCode": [{"text": alert.reason}],
    }


def flag(alert: Alert, codes: Codes) -> dict:
    return {
        "resourceType": "Flag",
        "id": f"alert-{alert.pk}",
        "status": "active",
        "category": [c.hl7(c.FLAG_CATEGORY, c.FLAG_CATEGORY_OF_KIND[alert.kind])],
        "code": codes.concept("alert-code", alert.code, alert.reason),
        "subject": patient_ref(alert.patient_id),
        "period": {"start": alert.created_at.isoformat()},
        "author": ref("Organization", organization_id(alert.clinic_id)),
    }


def detected_issue(alert: Alert, codes: Codes) -> dict:
    return {
        "resourceType": "DetectedIssue",
        "id": f"safety-{alert.pk}",
        "status": "final",
        "code": codes.concept("alert-code", alert.code),
        "severity": c.DETECTED_ISSUE_SEVERITY[alert.severity],
        "patient": patient_ref(alert.patient_id),
        "identifiedDateTime": alert.created_at.isoformat(),
        "detail": alert.reason,
    }
