"""GET /api/v1/me/export/: everything stored about the signed-in patient (GDPR articles 15 and 20)."""

import pytest

from tests.config.test_error_shape import assert_error
from tests.exchange.fhir_checks import assert_valid_bundle
from tests.support.patient_api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def ruth_client(record):
    return client_for(record["user"])


def without_timestamp(bundle: dict) -> dict:
    return {k: v for k, v in bundle.items() if k != "timestamp"}


def test_the_patient_gets_the_same_fhir_bundle_the_clinic_gets(ruth_client, physio_client, record):
    response = ruth_client.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    assert_valid_bundle(bundle)
    clinic_copy = physio_client.get(f"/api/v1/fhir/Patient/{record['patient'].pk}/$everything").json()
    assert without_timestamp(bundle) == without_timestamp(clinic_copy)
    assert without_timestamp(ruth_client.get("/api/v1/me/export/", {"format": "fhir"}).json()) == without_timestamp(
        bundle
    )


def test_the_json_copy_is_what_the_api_answers_for_each_part(ruth_client, physio_client, record):
    response = ruth_client.get("/api/v1/me/export/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    export = response.json()
    assert export["me"] == ruth_client.get("/api/v1/me/").json()
    for path, key in [
        ("pain-logs", "pain_logs"), ("exercise-logs", "exercise_logs"), ("visa-a", "visa_a"),
        ("symptom-reports", "symptom_reports"), ("medication-logs", "medication_logs"),
    ]:  # fmt: skip
        answered = ruth_client.get(f"/api/v1/me/{path}/", {"limit": 200}).json()["results"]
        assert sorted(export[key], key=lambda r: r["id"]) == sorted(answered, key=lambda r: r["id"]), key
    patient_id = record["patient"].pk
    record_answer = physio_client.get(f"/api/v1/patients/{patient_id}/").json()
    record_answer.pop("recent_logs")
    assert export["patient"] == record_answer
    events = physio_client.get(f"/api/v1/patients/{patient_id}/clinical-events/").json()["results"]
    assert sorted(e["id"] for e in export["clinical_events"]) == sorted(e["id"] for e in events)
    alerts = physio_client.get("/api/v1/alerts/", {"patient": patient_id}).json()["results"]
    assert sorted(export["alerts"], key=lambda a: a["id"]) == sorted(alerts, key=lambda a: a["id"])
    assert [d["token"] for d in export["devices"]] == [record["device"].token]
    assert [r["title"] for r in export["reminders"]] == [record["reminder"].title]


def test_staff_get_403_and_a_bad_format_is_a_400_in_the_error_shape(physio_client, ruth_client):
    assert_error(physio_client.get("/api/v1/me/export/"), 403, "permission_denied")
    error = assert_error(ruth_client.get("/api/v1/me/export/", {"format": "xml"}), 400, "validation_error")
    assert set(error["fields"]) == {"format"}
    # With the FHIR media type asked for, errors of /me/ paths keep the API's shape too.
    response = ruth_client.get("/api/v1/me/export/", {"format": "csv"}, HTTP_ACCEPT="application/fhir+json")
    assert_error(response, 400, "validation_error")
