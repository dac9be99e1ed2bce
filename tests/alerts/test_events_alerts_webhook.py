"""Clinical events, the alerts list with acknowledge/resolve, and the clinic's webhook settings."""

from datetime import timedelta

import pytest

from rehab.alerts.models import Alert, WebhookEndpoint
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import ClinicalEvent
from tests.factories import enrolled_patient
from tests.support.clinician_api import NOW, TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

Z = NOW.isoformat().replace("+00:00", "Z")


def _events_url(patient):
    return f"/api/v1/patients/{patient.pk}/clinical-events/"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "imaging", "details": {}}, "details.modality"),
        ({"kind": "imaging", "details": {"modality": "mri"}}, "details.modality"),
        ({"kind": "imaging", "details": {"modality": "bone_scan", "ho_maturity": "ripe"}}, "details.ho_maturity"),
        ({"kind": "corticosteroid_injection", "details": {}}, "details.site"),
        ({"kind": "corticosteroid_injection", "details": {"site": "knee"}}, "details.site"),
        ({"kind": "surgery", "details": {"modality": "radiograph"}}, "details.modality"),
        ({"kind": "massage", "details": {}}, "kind"),
    ],
)
def test_clinical_event_details_are_validated_per_kind(physio, our_patient, body, field):
    response = client_for(physio).post(_events_url(our_patient), {"date": TODAY.isoformat(), **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ClinicalEvent.objects.exists()


def test_a_planned_injection_at_the_heel_is_stored_and_alerts_the_clinic_at_once(physio, our_patient):
    planned = (TODAY + timedelta(days=14)).isoformat()
    response = client_for(physio).post(
        _events_url(our_patient),
        {"kind": "corticosteroid_injection", "date": planned, "details": {"site": "heel"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == {"id": physio.pk, "display_name": "Alice"}
    assert Alert.objects.get(patient=our_patient).code == "corticosteroid_injection"


def test_clinical_events_are_listed_newest_first(physio, our_patient):
    client = client_for(physio)
    for days_ago, modality in ((20, "radiograph"), (2, "bone_scan")):
        on = (TODAY - timedelta(days=days_ago)).isoformat()
        body = {"kind": "imaging", "date": on, "details": {"modality": modality, "ho_maturity": "mature"}}
        assert client.post(_events_url(our_patient), body, format="json").status_code == 201
    listed = client.get(_events_url(our_patient)).json()["results"]
    assert [e["details"]["modality"] for e in listed] == ["bone_scan", "radiograph"]


@pytest.fixture
def alerts(our_patient, clinic):
    other = enrolled_patient(start=TODAY - timedelta(days=3), clinic=clinic, display_name="Sam")
    high, _ = alert_raise(patient=our_patient, code="exercise_pain_high", reason="Pain 7/10.", evidence={"pain": 7})
    injection, _ = alert_raise(patient=other, code="corticosteroid_injection", reason="Heel.", evidence={})
    return {"high": high, "injection": injection, "other": other}


def test_the_alerts_list_has_the_contract_fields_and_filters(physio, our_patient, alerts):
    client = client_for(physio)
    rows = client.get("/api/v1/alerts/").json()["results"]
    assert len(rows) == 2
    row = next(r for r in rows if r["code"] == "exercise_pain_high")
    assert row["patient"] == {"id": our_patient.pk, "display_name": "Ruth"}
    assert row["kind"] == "guardrail" and row["severity"] == "routine" and row["status"] == "open"
    assert row["evidence"] == {"pain": 7} and row["acknowledged_by"] is None and row["milestone"] is None
    assert [r["code"] for r in client.get("/api/v1/alerts/?severity=urgent").json()["results"]] == [
        "corticosteroid_injection"
    ]
    assert client.get("/api/v1/alerts/?kind=safety").json()["count"] == 1
    assert client.get(f"/api/v1/alerts/?patient={alerts['other'].pk}").json()["count"] == 1
    assert client.get("/api/v1/alerts/?status=resolved").json()["count"] == 0
    assert client.get("/api/v1/alerts/?severity=bad").status_code == 400


def test_the_alerts_list_does_not_query_per_alert(physio, clinic, alerts, django_assert_max_num_queries):
    for i in range(20):
        patient = enrolled_patient(start=TODAY - timedelta(days=3), clinic=clinic, display_name=f"X{i}")
        alert_raise(patient=patient, code="exercise_pain_high", reason="r", evidence={})
    client = client_for(physio)
    with django_assert_max_num_queries(5):  # user, count, page with joins, audit
        assert len(client.get("/api/v1/alerts/").json()["results"]) == 22


def test_acknowledging_and_resolving_record_who_and_when(physio, alerts):
    client = client_for(physio)
    alert = alerts["injection"]
    acked = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "called"}, format="json").json()
    assert acked["status"] == "acknowledged" and acked["acknowledged_at"] == Z
    assert acked["acknowledged_by"] == {"id": physio.pk, "display_name": "Alice"}
    resolved = client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {}, format="json").json()
    assert resolved["status"] == "resolved" and resolved["resolved_by"]["id"] == physio.pk
    alert.refresh_from_db()
    assert alert.acknowledge_note == "called" and alert.resolved_at == NOW and alert.resolved_by == physio
    again = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_the_webhook_secret_is_write_only_and_the_url_is_validated(clinic, clinic_admin, settings):
    client = client_for(clinic_admin)
    assert client.get("/api/v1/clinic/webhook/").json() == {"url": None, "active": False, "disabled_reason": ""}
    missing_secret = client.put("/api/v1/clinic/webhook/", {"url": "https://hooks.example.com/x"}, format="json")
    assert missing_secret.status_code == 400 and "secret" in missing_secret.json()["error"]["fields"]
    body = {"url": "https://hooks.example.com/x", "secret": "k" * 32, "active": True}
    saved = client.put("/api/v1/clinic/webhook/", body, format="json")
    assert saved.status_code == 200 and "secret" not in saved.json()
    assert WebhookEndpoint.objects.get(clinic=clinic).secret == "k" * 32
    bad = client.put("/api/v1/clinic/webhook/", {"url": "ftp://example.com/x", "active": True}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()["error"]["fields"]
    settings.WEBHOOK_ALLOW_PRIVATE = False
    private = client.put("/api/v1/clinic/webhook/", {"url": "https://127.0.0.1/x", "active": True}, format="json")
    assert private.status_code == 400 and "url" in private.json()["error"]["fields"]


def test_saving_the_webhook_active_again_clears_the_reason_it_was_disabled(clinic, clinic_admin):
    WebhookEndpoint.objects.create(
        clinic=clinic, url="https://hooks.example.com/x", secret="s" * 32, active=False, disabled_reason="410 Gone"
    )
    client = client_for(clinic_admin)
    assert client.get("/api/v1/clinic/webhook/").json()["disabled_reason"] == "410 Gone"
    saved = client.put("/api/v1/clinic/webhook/", {"url": "https://hooks.example.com/y", "active": True}, format="json")
    assert saved.json() == {"url": "https://hooks.example.com/y", "active": True, "disabled_reason": ""}
    assert WebhookEndpoint.objects.get(clinic=clinic).secret == "s" * 32
