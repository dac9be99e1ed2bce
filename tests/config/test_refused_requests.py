"""Requests Django refuses before the API reads them still answer in the error shape.

And a body the schema allows fits in what Django agrees to read.
"""

import json
import uuid

import pytest
from django.conf import settings

from patients.api.serializers import tokens_for
from rehab.intake.api.serializers import SYNC_BATCH_MAX
from rehab.intake.serializers import NOTE_MAX
from rehab.logs.models import PainLog, SymptomReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SYNC = "/api/v1/me/sync/"


def post_raw(client, patient, raw: bytes):
    token = tokens_for(patient.user)["access"]
    return client.generic("POST", SYNC, raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def full_batch(note_char: str) -> dict:
    """The largest batch of notes the schema allows: every item with the longest note."""
    note = note_char * NOTE_MAX

    def item(when: str, **fields) -> dict:
        return {"client_id": str(uuid.uuid4()), when: "2026-03-09T08:00:00Z", "note": note, **fields}

    return {
        "pain_logs": [item("recorded_at", score=3) for _ in range(SYNC_BATCH_MAX)],
        "symptom_reports": [item("reported_at", symptoms=["other"]) for _ in range(SYNC_BATCH_MAX)],
    }


def test_a_full_batch_of_notes_in_greek_is_read_and_stored(client, patient):
    # Two bytes a character in UTF-8: over Django's default 2.5 MB for a body.
    raw = json.dumps(full_batch("λ"), ensure_ascii=False).encode()
    response = post_raw(client, patient, raw)
    assert response.status_code == 200, response.content[:300]
    assert PainLog.objects.filter(patient=patient).count() == SYNC_BATCH_MAX
    assert SymptomReport.objects.filter(patient=patient).count() == SYNC_BATCH_MAX


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(client, patient):
    raw = b'{"pain_logs": [], "padding": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    response = post_raw(client, patient, raw)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "payload_too_large"


def test_an_unknown_host_on_an_api_path_is_a_json_400(client, settings):
    settings.ALLOWED_HOSTS = ["api.example.com"]
    response = client.get("/api/v1/me/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_the_sync_schema_documents_the_413(client):
    operation = client.get("/api/schema/?format=json").json()["paths"][SYNC]["post"]
    assert "413" in operation["responses"]
