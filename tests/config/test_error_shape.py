import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from config.api.errors import flatten_errors, handler500

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def assert_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def test_no_token_is_a_401(anon_client):
    response = anon_client.get("/api/v1/me/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_token_is_a_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(client.get("/api/v1/me/plan/"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/plan/"),
        ("get", "/api/v1/me/pain-logs/"),
        ("post", "/api/v1/me/pain-logs/"),
        ("get", "/api/v1/me/exercise-logs/"),
        ("get", "/api/v1/me/visa-a/"),
        ("get", "/api/v1/me/symptom-reports/"),
        ("get", "/api/v1/me/medication-logs/"),
        ("post", "/api/v1/me/sync/"),
        ("post", "/api/v1/me/devices/"),
        ("delete", "/api/v1/me/devices/some-token/"),
    ],
)
def test_staff_get_403_on_every_patient_path(physio_client, method, path):
    assert_error(getattr(physio_client, method)(path, {}, format="json"), 403, "permission_denied")


def test_an_unknown_api_path_is_a_json_404(patient_client):
    assert_error(patient_client.get("/api/v1/nothing-here/"), 404, "not_found")


def test_an_unsupported_method_is_a_405(patient_client):
    assert_error(patient_client.put("/api/v1/me/pain-logs/", {}, format="json"), 405, "method_not_allowed")


def test_a_body_that_is_not_json_is_a_415(patient_client):
    response = patient_client.post("/api/v1/me/pain-logs/", "score=4", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_a_400(patient_client):
    response = patient_client.post("/api/v1/me/pain-logs/", "{not json", content_type="application/json")
    assert_error(response, 400, "validation_error")


def test_validation_errors_name_each_field(patient_client):
    error = assert_error(patient_client.post("/api/v1/me/pain-logs/", {}, format="json"), 400, "validation_error")
    assert set(error["fields"]) == {"client_id", "recorded_at", "score"}


def test_nested_errors_flatten_to_dotted_names():
    detail = {"quiet_hours": {"start": ["Bad."]}, "exercises": [{}, {"sets": ["Too many."]}], "tags": ["Bad tag."]}
    assert flatten_errors(detail) == {
        "quiet_hours.start": ["Bad."],
        "exercises.1.sets": ["Too many."],
        "tags": ["Bad tag."],
    }


def test_a_nested_field_error_arrives_dotted(patient_client):
    response = patient_client.patch("/api/v1/me/", {"quiet_hours": {"start": "25:00", "end": "07:00"}}, format="json")
    assert "quiet_hours.start" in assert_error(response, 400, "validation_error")["fields"]


def test_a_crash_on_an_api_path_answers_json_500():
    response = handler500(RequestFactory().get("/api/v1/me/"))
    assert response.status_code == 500
    assert b'"server_error"' in response.content


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "201"}, {"limit": ""}, {"offset": "-1"}, {"offset": "x"}])
def test_paging_outside_the_documented_bounds_is_a_400_naming_the_parameter(patient_client, query):
    error = assert_error(patient_client.get("/api/v1/me/pain-logs/", query), 400, "validation_error")
    assert set(error["fields"]) == set(query)


def test_an_empty_since_is_a_400_not_ignored(patient_client):
    assert_error(patient_client.get("/api/v1/me/pain-logs/", {"since": ""}), 400, "validation_error")


def test_text_with_a_null_character_or_a_lone_surrogate_is_a_400_not_a_crash(patient_client):
    for note in ("a\\u0000b", "\\ud88a"):  # as JSON escapes: a client library would refuse to encode them
        body = (
            '{"client_id": "8b0d7f0e-0d6e-4d53-9a55-5a1c3cf5a0a1", "recorded_at": "2026-03-10T08:00:00Z", '
            f'"score": 1, "note": "{note}"}}'
        )
        response = patient_client.post("/api/v1/me/pain-logs/", body, content_type="application/json")
        assert "note" in assert_error(response, 400, "validation_error")["fields"]


def test_an_error_that_echoes_a_lone_surrogate_still_renders(patient_client):
    response = patient_client.post("/api/v1/me/pain-logs/", '{"\\ud88a": 1}', content_type="application/json")
    assert "\\ud88a" in assert_error(response, 400, "validation_error")["fields"]
