"""FHIR Bulk Data export of a clinic: kick-off, status, manifest, NDJSON files, cancel, expiry.

The job runs here by calling the service the Celery task calls; test_bulk_export_worker.py runs it
end to end through a real worker.
"""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import storages

from patients.models import AuditEntry, Patient
from rehab.exchange.models import BulkExport
from rehab.exchange.selectors.clinic import BULK_TYPES
from rehab.exchange.services.bulk import bulk_export_run, bulk_exports_sweep
from tests.exchange.fhir_checks import parse_r4b, references, schema_errors, value_set_violations
from tests.factories import ClinicAdminFactory, enrolled_patient
from tests.support import logs
from tests.support.clinician_api import NOW, START
from tests.support.patient_api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

ASYNC = {"HTTP_PREFER": "respond-async"}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def clinic_of_two(record, clinic, other_physio):
    """Ruth's record, a second patient of the clinic, and a patient of another clinic (never exported)."""
    second = enrolled_patient(start=START, clinic=clinic, display_name="Zelda")
    logs.pain(second, 2, NOW - timedelta(days=1))
    stranger = enrolled_patient(start=START, clinic=other_physio.clinic, display_name="Xavier")
    logs.pain(stranger, 9, NOW - timedelta(days=1))
    return {"ruth": record["patient"], "zelda": second, "stranger": stranger}


def kick_off(client, clinic_id, query="", **headers):
    return client.get(f"/api/v1/fhir/Group/{clinic_id}/$export{query}", **{**ASYNC, **headers})


def run_export(client, clinic_id, query="") -> dict:
    """Kick off, run the job, and answer the manifest."""
    response = kick_off(client, clinic_id, query)
    assert response.status_code == 202, response.content
    export = BulkExport.objects.latest("requested_at")
    assert bulk_export_run(export_id=export.pk) == "completed"
    status = client.get(response["Content-Location"].removeprefix("http://testserver"))
    assert status.status_code == 200, status.content
    return status.json()


def download(client, manifest) -> dict[str, list[dict]]:
    files = {}
    for item in manifest["output"]:
        response = client.get(item["url"].removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+ndjson"
        assert "no-store" in response["Cache-Control"]
        lines = b"".join(response.streaming_content).decode().splitlines()
        files[item["type"]] = [json.loads(line) for line in lines]
        assert len(lines) == item["count"]
    return files


def test_a_clinic_admin_exports_the_clinic_as_ndjson_files_of_valid_resources_of_their_type(
    admin_client, clinic_of_two, clinic
):
    manifest = run_export(admin_client, clinic.pk)
    assert manifest["requiresAccessToken"] is True
    assert manifest["transactionTime"] == NOW.isoformat()
    assert manifest["request"] == f"http://testserver/api/v1/fhir/Group/{clinic.pk}/$export"
    assert manifest["error"] == []
    files = download(admin_client, manifest)
    assert set(files) == set(BULK_TYPES)
    ours = {f"Patient/{p.pk}" for p in Patient.objects.filter(clinic=clinic)}
    for resource_type, resources in files.items():
        for resource in resources:
            assert resource["resourceType"] == resource_type
            parse_r4b(resource)
            assert schema_errors(resource) == [] and value_set_violations(resource) == []
            patients = {r for r in references(resource) if r.startswith("Patient/")}
            assert patients <= ours, resource
    assert {f"Patient/{r['id']}" for r in files["Patient"]} == ours
    assert {r["managingOrganization"]["reference"] for r in files["Patient"]} == {f"Organization/clinic-{clinic.pk}"}
    pains = [o for o in files["Observation"] if o["id"].startswith("pain-")]
    assert sorted(o["valueInteger"] for o in pains) == sorted([6, 4, 5, 2])  # Ruth's three, Zelda's one


def test_type_and_since_narrow_the_output(admin_client, clinic_of_two, clinic, frozen_clock):
    frozen_clock.move_to(NOW + timedelta(minutes=5))
    logs.pain(clinic_of_two["zelda"], 7, NOW + timedelta(minutes=1))  # the only log received after NOW
    manifest = run_export(
        admin_client, clinic.pk, "?_type=Observation,Patient&_since=" + NOW.isoformat().replace("+", "%2B")
    )
    files = download(admin_client, manifest)
    assert set(files) <= {"Observation", "Patient"}
    assert [o["valueInteger"] for o in files["Observation"]] == [7]
    assert "Patient" not in files  # nobody was created or discharged since


def test_kick_off_needs_prefer_respond_async_and_known_types(admin_client, clinic):
    assert_outcome(admin_client.get(f"/api/v1/fhir/Group/{clinic.pk}/$export"), 400)
    assert_outcome(kick_off(admin_client, clinic.pk, "?_type=Observation,Encounter"), 400)
    assert_outcome(kick_off(admin_client, clinic.pk, "?_since=yesterday"), 400)
    assert_outcome(kick_off(admin_client, clinic.pk, "?_outputFormat=text/csv"), 400)
    assert not BulkExport.objects.exists()


def test_only_a_clinic_admin_of_that_clinic_may_kick_off(physio_client, admin_client, clinic, other_physio):
    assert_outcome(kick_off(physio_client, clinic.pk), 403)
    assert_outcome(kick_off(admin_client, other_physio.clinic_id), 404)
    assert not BulkExport.objects.exists()


def test_a_second_kick_off_while_one_runs_is_a_429_with_retry_after(admin_client, clinic):
    assert kick_off(admin_client, clinic.pk).status_code == 202
    second = kick_off(admin_client, clinic.pk)
    assert_outcome(second, 429)
    assert int(second["Retry-After"]) > 0
    assert BulkExport.objects.count() == 1


def test_status_is_202_with_progress_until_done(admin_client, clinic):
    status_url = kick_off(admin_client, clinic.pk)["Content-Location"].removeprefix("http://testserver")
    running = admin_client.get(status_url)
    assert running.status_code == 202 and running["X-Progress"]
    bulk_export_run(export_id=BulkExport.objects.get().pk)
    assert admin_client.get(status_url).status_code == 200


def test_another_clinics_admin_and_another_admin_get_404_on_the_status_and_the_files(
    admin_client, clinic_of_two, clinic, other_physio
):
    manifest = run_export(admin_client, clinic.pk)
    status_url = BulkExport.objects.get().pk
    for stranger in (ClinicAdminFactory(clinic=other_physio.clinic), ClinicAdminFactory(clinic=clinic)):
        client = client_for(stranger)
        assert_outcome(client.get(f"/api/v1/fhir/bulk-status/{status_url}"), 404)
        assert_outcome(client.delete(f"/api/v1/fhir/bulk-status/{status_url}"), 404)
        for item in manifest["output"]:
            assert_outcome(client.get(item["url"].removeprefix("http://testserver")), 404)


def test_cancel_removes_the_files_and_the_status(admin_client, clinic_of_two, clinic):
    manifest = run_export(admin_client, clinic.pk)
    export = BulkExport.objects.get()
    names = [item["name"] for item in export.output]
    assert names and all(storages["default"].exists(n) for n in names)
    response = admin_client.delete(f"/api/v1/fhir/bulk-status/{export.pk}")
    assert response.status_code == 202
    assert not any(storages["default"].exists(n) for n in names)
    assert_outcome(admin_client.get(f"/api/v1/fhir/bulk-status/{export.pk}"), 404)
    assert_outcome(admin_client.get(manifest["output"][0]["url"].removeprefix("http://testserver")), 404)
    assert kick_off(admin_client, clinic.pk).status_code == 202  # the clinic may start another


def test_a_job_cancelled_while_it_runs_stops_and_leaves_no_file(admin_client, clinic_of_two, clinic):
    kick_off(admin_client, clinic.pk)
    export = BulkExport.objects.get()
    admin_client.delete(f"/api/v1/fhir/bulk-status/{export.pk}")
    assert bulk_export_run(export_id=export.pk) == "not claimed"
    assert not storages["default"].exists(f"bulk-exports/{export.pk}")


def test_files_expire_after_seven_days(admin_client, clinic_of_two, clinic, frozen_clock):
    run_export(admin_client, clinic.pk)
    export = BulkExport.objects.get()
    names = [item["name"] for item in export.output]
    frozen_clock.move_to(NOW + timedelta(days=6, hours=23))
    assert bulk_exports_sweep()["expired"] == 0
    frozen_clock.move_to(NOW + timedelta(days=7, minutes=1))
    assert bulk_exports_sweep()["expired"] == 1
    assert not BulkExport.objects.exists()
    assert not any(storages["default"].exists(n) for n in names)


def assert_outcome(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json"
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_job_whose_worker_died_is_taken_over_and_a_live_one_is_not(admin_client, clinic_of_two, clinic, frozen_clock):
    kick_off(admin_client, clinic.pk)
    export = BulkExport.objects.get()
    BulkExport.objects.filter(pk=export.pk).update(started_at=NOW, heartbeat_at=NOW)  # a worker holds it
    assert bulk_export_run(export_id=export.pk) == "not claimed"
    frozen_clock.move_to(NOW + timedelta(minutes=11))  # its heartbeat stopped: the worker died
    assert bulk_export_run(export_id=export.pk) == "completed"


def test_the_kick_off_is_audited(admin_client, clinic_admin, clinic):
    kick_off(admin_client, clinic.pk, "?_type=Patient")
    entry = AuditEntry.objects.get(action="bulk_export")
    assert (entry.actor, entry.clinic_id, entry.patient) == (clinic_admin, clinic.pk, None)
    assert entry.resource.endswith(f"/Group/{clinic.pk}/$export?_type=Patient")


def test_each_file_downloaded_is_audited(admin_client, clinic_admin, clinic_of_two, clinic):
    manifest = run_export(admin_client, clinic.pk)
    download(admin_client, manifest)
    taken = AuditEntry.objects.filter(action="read", resource__contains="/bulk-files/")
    assert sorted(e.resource.rsplit("/", 1)[1] for e in taken) == sorted(
        f"{i['type']}.ndjson" for i in manifest["output"]
    )
    assert {(e.actor, e.clinic_id) for e in taken} == {(clinic_admin, clinic.pk)}
