"""Nothing Django answers is kept by a browser's or a proxy's cache: answers carry a patient's data or tokens."""

import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("frozen_now")


def no_store(response) -> bool:
    return "no-store" in [d.strip() for d in response.get("Cache-Control", "").split(",")]


def test_an_authenticated_api_answer_is_not_stored(physio_client, our_patient):
    response = physio_client.get("/api/v1/patients/", {"search": "Ruth"})
    assert response.status_code == 200 and response.json()["results"]
    assert no_store(response)


def test_a_patients_own_answer_is_not_stored(patient_client):
    response = patient_client.get("/api/v1/me/plan/")
    assert response.status_code == 200
    assert no_store(response)


def test_an_answer_with_tokens_is_not_stored(physio, anon_client):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 200 and "access" in response.json()
    assert no_store(response)


def test_an_error_answer_is_not_stored(anon_client, db):
    assert no_store(anon_client.get("/api/v1/me/"))


def test_a_signed_in_web_page_is_not_stored(clinic_admin):
    browser = Client()
    browser.force_login(clinic_admin)
    response = browser.get("/admin/login/")
    assert no_store(response)


def test_an_answer_that_set_its_own_cache_control_keeps_it_and_is_not_stored(client, db):
    response = client.get("/health/")
    assert "no-cache" in response["Cache-Control"] and no_store(response)
