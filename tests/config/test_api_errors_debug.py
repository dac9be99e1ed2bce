"""With DEBUG on (`make run`, config.settings.local), /api/ still answers the contract's error shape:
Django's debug pages (technical 404 and 500) are for web pages, never for the phones."""

import pytest
from rest_framework.test import APIClient

from tests.config.test_error_shape import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_json_404_with_debug_on(debug, patient_client, method):
    response = getattr(patient_client, method)("/api/v1/nothing-here/", {}, format="json")
    assert_error(response, 404, "not_found")


def test_an_unknown_api_path_without_a_token_is_a_json_404_with_debug_on(debug, anon_client):
    assert_error(anon_client.get("/api/nothing/"), 404, "not_found")


def test_a_crash_in_an_api_view_is_a_json_500_with_debug_on(debug, physio, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("rehab.records.api.views.PatientDashboard", crash)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(physio)
    assert_error(client.get("/api/v1/patients/"), 500, "server_error")


def test_a_request_for_an_unknown_host_is_a_json_400_with_debug_on(debug, anon_client):
    assert_error(anon_client.get("/api/v1/me/", HTTP_HOST="evil.example"), 400, "bad_request")


def test_a_web_page_keeps_djangos_debug_404(debug, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_the_docs_page_is_still_html(debug, client):
    response = client.get("/api/docs/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
