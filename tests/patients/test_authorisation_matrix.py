"""Every clinician endpoint by every kind of caller gives the contract's answer.

Own-clinic staff: 200/201. Another clinic's physiotherapist: 404 for anything of
this clinic (a list simply does not contain it). The patient's own sign-in:
403. Nobody signed in: 401. The webhook settings are for clinic admins only.
"""

from dataclasses import dataclass

import pytest

from rehab.alerts.services.alerts import alert_raise
from tests.support.clinician_api import TODAY
from tests.support.patient_api import client_for


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {patient} and {alert} are filled in
    body: dict | None = None
    ok: int = 200
    listing: bool = False  # another clinic gets 200 without this clinic's rows, not 404


NEW_PATIENT = {
    "display_name": "New",
    "timezone": "Europe/Paris",
    "side": "left",
    "condition": "calcific_insertional_tendinopathy",
    "protocol": "conservative-calcific-iat",
    "start_date": TODAY.isoformat(),
}

ENDPOINTS = [
    Endpoint("get", "/api/v1/patients/", listing=True),
    Endpoint("post", "/api/v1/patients/", NEW_PATIENT, ok=201, listing=True),
    Endpoint("get", "/api/v1/patients/{patient}/"),
    Endpoint("patch", "/api/v1/patients/{patient}/", {"display_name": "Ruth A."}),
    Endpoint("post", "/api/v1/patients/{patient}/activation-code/", ok=201),
    Endpoint(
        "post",
        "/api/v1/patients/{patient}/enrollments/",
        {"protocol": "post-surgical-calcific-iat", "start_date": TODAY.isoformat(), "reason": "surgery"},
        ok=201,
    ),
    Endpoint("post", "/api/v1/patients/{patient}/milestones/review-6-8-weeks/outcome/", {"outcome": "met"}),
    Endpoint("get", "/api/v1/patients/{patient}/clinical-events/"),
    Endpoint(
        "post",
        "/api/v1/patients/{patient}/clinical-events/",
        {"kind": "imaging", "date": TODAY.isoformat(), "details": {"modality": "radiograph"}},
        ok=201,
    ),
    Endpoint("get", "/api/v1/patients/{patient}/pain-logs/"),
    Endpoint("get", "/api/v1/patients/{patient}/exercise-logs/"),
    Endpoint("get", "/api/v1/patients/{patient}/visa-a/"),
    Endpoint("get", "/api/v1/patients/{patient}/symptom-reports/"),
    Endpoint("get", "/api/v1/patients/{patient}/medication-logs/"),
    Endpoint("get", "/api/v1/alerts/", listing=True),
    Endpoint("post", "/api/v1/alerts/{alert}/acknowledge/", {"note": "called her"}),
    Endpoint("post", "/api/v1/alerts/{alert}/resolve/", {}),
]

CALLERS = ("physio", "clinic_admin", "other_physio", "patient", "anonymous")


@pytest.fixture
def world(our_patient, physio, other_physio, clinic_admin):
    alert, _ = alert_raise(patient=our_patient, code="exercise_pain_high", reason="Pain 7/10.", evidence={})
    callers = {
        "physio": physio,
        "clinic_admin": clinic_admin,
        "other_physio": other_physio,
        "patient": our_patient.user,
        "anonymous": None,
    }
    return {"patient": our_patient, "alert": alert, "callers": callers}


def _call(world, endpoint: Endpoint, caller: str):
    client = client_for(world["callers"][caller])
    path = endpoint.path.format(patient=world["patient"].pk, alert=world["alert"].pk)
    return getattr(client, endpoint.method)(path, endpoint.body, format="json")


def _expected(endpoint: Endpoint, caller: str) -> int:
    if caller == "anonymous":
        return 401
    if caller == "patient":
        return 403
    if caller == "other_physio":
        return endpoint.ok if endpoint.listing else 404
    return endpoint.ok


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_each_caller_gets_the_contracts_answer(world, endpoint, caller):
    response = _call(world, endpoint, caller)
    assert response.status_code == _expected(endpoint, caller), response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    if endpoint.listing and endpoint.method == "get" and response.status_code == 200:
        rows = response.json()["results"]
        shown = {r["patient"]["id"] if "patient" in r else r["id"] for r in rows}
        assert (world["patient"].pk in shown) == (caller != "other_physio")


@pytest.mark.parametrize(
    ("caller", "expected"),
    [("clinic_admin", 200), ("physio", 403), ("other_physio", 403), ("patient", 403), ("anonymous", 401)],
)
@pytest.mark.parametrize("method", ["get", "put"])
def test_webhook_settings_are_for_clinic_admins_only(world, caller, expected, method):
    client = client_for(world["callers"][caller])
    body = {"url": "https://hooks.example.com/rehab", "secret": "s" * 32, "active": True} if method == "put" else None
    response = getattr(client, method)("/api/v1/clinic/webhook/", body, format="json")
    assert response.status_code == expected, response.content


def test_other_clinics_alert_is_not_changed_by_a_refused_call(world):
    _call(world, Endpoint("post", "/api/v1/alerts/{alert}/resolve/", {}), "other_physio")
    world["alert"].refresh_from_db()
    assert world["alert"].status == "open"


def test_a_patient_id_that_does_not_exist_is_a_404(world):
    response = client_for(world["callers"]["physio"]).get(f"/api/v1/patients/{world['patient'].pk + 1000}/pain-logs/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
