"""POST /auth/token/ for staff where TOTP applies needs `otp`: the second factor cannot be walked around via the API."""

from datetime import timedelta

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from patients.services.second_factor import totp_device_reset, totp_requirement_set
from tests.support.totp import PASSWORD, backup_codes, enrol_totp, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

TOKEN_URL = "/api/v1/auth/token/"


def token(username="alice", ip="10.0.0.1", **extra):
    body = {"username": username, "password": PASSWORD, **extra}
    return APIClient().post(TOKEN_URL, body, format="json", REMOTE_ADDR=ip)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def device(physio):
    return enrol_totp(physio)


def test_staff_with_a_device_are_refused_a_token_without_otp(device):
    response = token()
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "otp" in response.json()["error"]["message"]


def test_staff_with_a_device_get_tokens_with_the_current_code(device):
    response = token(otp=totp_code(device))
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_a_wrong_code_is_401(device):
    assert token(otp=wrong(totp_code(device))).status_code == 401


def test_a_backup_code_works_once_for_a_token(physio, device, frozen_clock):
    code = backup_codes(physio)[0]
    assert token(otp=code).status_code == 200
    frozen_clock.shift(timedelta(seconds=5))
    assert token(otp=code).status_code == 401


def test_when_the_clinic_requires_totp_staff_without_a_device_get_no_token(clinic, physio):
    clinic.require_totp = True
    clinic.save()
    response = token(otp="123456")
    assert response.status_code == 401
    assert "set up an authenticator" in response.json()["error"]["message"]


def test_without_a_device_or_a_requirement_the_password_alone_still_works(physio):
    assert token().status_code == 200


def test_patients_never_send_otp_even_when_their_clinic_requires_totp(patient):
    patient.clinic.require_totp = True
    patient.clinic.save()
    assert token(username=patient.user.username).status_code == 200


def test_wrong_codes_count_toward_the_lock_out_and_the_api_answers_its_json_error(device):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token(otp=wrong(totp_code(device))).status_code == 401
    response = token(otp=wrong(totp_code(device)))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # Locked: the right password and code are refused too, from that address.
    locked = token(otp=totp_code(device))
    assert (locked.status_code, locked.json()["error"]["code"]) == (429, "locked_out")


def test_otp_is_documented_on_the_sign_in_request():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    request = schema["components"]["schemas"]["TokenCredentialsRequest"]
    assert request["properties"]["otp"]["type"] == "string"
    assert "otp" not in request.get("required", [])
    assert "TOTP" in request["properties"]["otp"]["description"]


def test_requiring_totp_ends_the_staffs_api_tokens_issued_with_the_password_alone(clinic, physio, clinic_admin):
    access = token().json()["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/api/v1/me/").status_code == 200
    totp_requirement_set(clinic=clinic, required=True, by=clinic_admin, ip_address=None)
    assert client.get("/api/v1/me/").status_code == 401


def test_resetting_a_device_ends_the_staff_members_api_tokens(physio, clinic_admin, device):
    access = token(otp=totp_code(device)).json()["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/api/v1/me/").status_code == 200
    totp_device_reset(staff=physio, by=clinic_admin, ip_address=None)
    assert client.get("/api/v1/me/").status_code == 401


def test_an_empty_otp_is_refused_as_the_schema_says(physio):
    response = token(otp="  ")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"otp"}
