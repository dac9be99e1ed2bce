"""A browser app on another origin calls the API only from an origin in CORS_ALLOWED_ORIGINS (none by default)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

ALLOWED = "https://app.clinic.example"


@pytest.fixture
def allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(path: str, origin: str):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


def test_an_allowed_origin_passes_the_preflight(allowed_origin, db):
    response = preflight("/api/v1/patients/", ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response  # tokens travel in a header, never cookies


def test_an_allowed_origin_reads_a_real_answer(allowed_origin, physio, our_patient):
    response = client_for(physio).get("/api/v1/patients/", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "Retry-After" in response["Access-Control-Expose-Headers"]  # a locked-out sign-in says when to retry


def test_an_allowed_origin_reads_an_error_answer_too(allowed_origin, db):
    response = Client().get("/api/v1/nothing-here/", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_another_origin_gets_no_cors_headers(allowed_origin, physio, our_patient):
    assert "Access-Control-Allow-Origin" not in preflight("/api/v1/patients/", "https://evil.example")
    response = client_for(physio).get("/api/v1/patients/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_pages_outside_the_api_get_no_cors_headers(allowed_origin, db):
    assert "Access-Control-Allow-Origin" not in preflight("/admin/login/", ALLOWED)
    assert "Access-Control-Allow-Origin" not in Client().get("/health/", HTTP_ORIGIN=ALLOWED)


def test_by_default_no_origin_is_allowed(physio, our_patient):
    assert django_settings.CORS_ALLOWED_ORIGINS == []
    assert not getattr(django_settings, "CORS_ALLOW_ALL_ORIGINS", False)
    assert "Access-Control-Allow-Origin" not in preflight("/api/v1/patients/", ALLOWED)
    response = client_for(physio).get("/api/v1/patients/", HTTP_ORIGIN=ALLOWED)
    assert "Access-Control-Allow-Origin" not in response
