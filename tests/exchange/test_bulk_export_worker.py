"""A clinic's Bulk Data export end to end: the API's kick-off, a real Celery worker, the files."""

import json
import time
from datetime import timedelta

import pytest

from config import clock
from patients.models import Patient
from rehab.exchange.selectors.clinic import BULK_TYPES
from tests.exchange.fhir_checks import parse_r4b, references
from tests.factories import ClinicAdminFactory, PhysioFactory, enrolled_patient
from tests.support import logs
from tests.support.patient_api import client_for
from tests.support.processes import Worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the worker writes there, this process reads there
    started = Worker(settings.CELERY_BROKER_URL, tmp_path / "worker.log", "bulk-e2e", MEDIA_ROOT=settings.MEDIA_ROOT)
    yield started.start()
    started.stop()


def test_kick_off_poll_and_download_through_a_real_worker(worker):
    admin = ClinicAdminFactory()
    today = clock.local_today("Europe/London")
    patients = [enrolled_patient(start=today - timedelta(days=20), clinic=admin.clinic) for _ in range(3)]
    for n, patient in enumerate(patients):
        logs.pain(patient, n + 2, clock.now() - timedelta(hours=n + 1))
        logs.visa_a(patient, 50 + n, clock.now() - timedelta(days=1))
    stranger = enrolled_patient(start=today - timedelta(days=20), clinic=PhysioFactory().clinic)
    logs.pain(stranger, 9, clock.now() - timedelta(hours=1))
    client = client_for(admin)

    kick_off = client.get(f"/api/v1/fhir/Group/{admin.clinic_id}/$export", HTTP_PREFER="respond-async")
    assert kick_off.status_code == 202
    status_path = kick_off["Content-Location"].removeprefix("http://testserver")
    deadline = time.monotonic() + 60
    while (status := client.get(status_path)).status_code == 202:
        assert status["X-Progress"]
        assert time.monotonic() < deadline, worker.log_path.read_text()[-3000:]
        time.sleep(0.5)
    assert status.status_code == 200, status.content
    manifest = status.json()

    ours = {f"Patient/{p.pk}" for p in Patient.objects.filter(clinic=admin.clinic)}
    found = {}
    for item in manifest["output"]:
        response = client.get(item["url"].removeprefix("http://testserver"))
        assert response.status_code == 200
        lines = b"".join(response.streaming_content).decode().splitlines()
        found[item["type"]] = len(lines)
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == item["type"]
            parse_r4b(resource)
            assert {r for r in references(resource) if r.startswith("Patient/")} <= ours
    assert set(found) <= set(BULK_TYPES)
    assert found["Patient"] == 3 and found["QuestionnaireResponse"] == 3
    assert found["Observation"] == 6  # three pain entries and three VISA-A totals; not the stranger's
