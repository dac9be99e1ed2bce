from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from patients.models import ActivationCode, Patient, User
from patients.services.activation import activation_code_issue
from tests.factories import PatientFactory
from tests.support.patient_api import NOW, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TOKEN_URL = "/api/v1/auth/token/"
ACTIVATE_URL = "/api/v1/auth/activate/"
GOOD_PASSWORD = "correct-horse-battery"


def sign_in(username, password, ip="10.0.0.1"):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def test_signing_in_returns_tokens_that_carry_the_role(physio):
    response = sign_in("alice", GOOD_PASSWORD)
    assert response.status_code == 200
    claims = jwt.decode(response.json()["access"], options={"verify_signature": False})
    assert claims["role"] == "physio"


def test_bad_credentials_answer_401_in_the_error_shape(physio):
    response = sign_in("alice", "wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_repeated_failures_lock_out_the_username_from_that_address_with_retry_after(physio):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("alice", "wrong")
    response = sign_in("alice", GOOD_PASSWORD)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_a_lock_out_does_not_block_the_same_username_from_another_address(physio):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("alice", "wrong", ip="10.0.0.1")
    assert sign_in("alice", GOOD_PASSWORD, ip="10.0.0.2").status_code == 200


def test_refresh_gives_a_new_access_token(physio):
    refresh = sign_in("alice", GOOD_PASSWORD).json()["refresh"]
    response = APIClient().post(TOKEN_URL + "refresh/", {"refresh": refresh}, format="json")
    assert response.status_code == 200
    assert "access" in response.json()


def test_an_invalid_refresh_token_answers_401():
    response = APIClient().post(TOKEN_URL + "refresh/", {"refresh": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.fixture
def new_patient(clinic):
    return PatientFactory(clinic=clinic, user=None, display_name="Carol")


def activate(code, username="carol", password="a-long-enough-Passphrase"):
    return APIClient().post(
        ACTIVATE_URL, {"activation_code": code, "username": username, "password": password}, format="json"
    )


def test_activation_creates_the_patients_sign_in_and_returns_tokens(new_patient, physio):
    code = activation_code_issue(patient=new_patient, by=physio)
    response = activate(code)
    assert response.status_code == 201
    new_patient.refresh_from_db()
    assert new_patient.user.username == "carol"
    assert new_patient.user.role == User.Role.PATIENT
    assert sign_in("carol", "a-long-enough-Passphrase").status_code == 200


def test_only_a_hash_of_the_activation_code_is_stored(new_patient, physio):
    code = activation_code_issue(patient=new_patient, by=physio)
    stored = ActivationCode.objects.get(patient=new_patient)
    assert code.replace("-", "") not in stored.code_hash


def test_an_activation_code_works_once(new_patient, physio):
    code = activation_code_issue(patient=new_patient, by=physio)
    assert activate(code).status_code == 201
    second = activate(code, username="mallory")
    assert second.status_code == 400
    assert "activation_code" in second.json()["error"]["fields"]


def test_an_activation_code_expires(new_patient, physio):
    code = activation_code_issue(patient=new_patient, by=physio)
    with time_machine.travel(NOW + timedelta(days=settings.ACTIVATION_CODE_DAYS, seconds=1), tick=False):
        response = activate(code)
    assert response.status_code == 400
    assert "activation_code" in response.json()["error"]["fields"]


def test_a_new_activation_code_revokes_the_old_one(new_patient, physio):
    old = activation_code_issue(patient=new_patient, by=physio)
    new = activation_code_issue(patient=new_patient, by=physio)
    assert activate(old).status_code == 400
    assert activate(new).status_code == 201


def test_activation_codes_ignore_case_and_dashes(new_patient, physio):
    code = activation_code_issue(patient=new_patient, by=physio)
    assert activate(code.replace("-", "").lower()).status_code == 201


def test_activation_refuses_a_weak_password_and_a_taken_username(new_patient, physio):
    code = activation_code_issue(patient=new_patient, by=physio)
    response = activate(code, username="ALICE", password="123")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"username", "password"}
    assert not ActivationCode.objects.filter(used_at__isnull=False).exists()


def test_a_reissued_code_resets_an_existing_patients_sign_in(patient, physio):
    code = activation_code_issue(patient=patient, by=physio)
    assert activate(code, username="renamed").status_code == 201
    assert Patient.objects.get(pk=patient.pk).user_id == patient.user_id
    assert User.objects.get(pk=patient.user_id).username == "renamed"


def test_me_for_a_patient_has_timezone_quiet_hours_and_enrolment(patient, patient_client):
    body = patient_client.get("/api/v1/me/").json()
    assert body["role"] == "patient"
    assert body["clinic"] == {"id": patient.clinic_id, "name": patient.clinic.name}
    assert body["timezone"] == "Europe/London"
    assert body["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    assert body["enrollment"] == {"protocol": "conservative-calcific-iat", "start_date": "2026-03-01", "day": 9}


def test_me_for_staff_has_no_patient_parts(physio, physio_client):
    body = physio_client.get("/api/v1/me/").json()
    assert body["role"] == "physio"
    assert body["display_name"] == "Alice"
    assert body["enrollment"] is None


def test_a_patient_changes_timezone_and_quiet_hours(patient, patient_client):
    response = patient_client.patch(
        "/api/v1/me/",
        {"timezone": "Australia/Sydney", "quiet_hours": {"start": "22:30", "end": "07:00"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["timezone"] == "Australia/Sydney"
    assert response.json()["quiet_hours"] == {"start": "22:30", "end": "07:00"}


def test_a_patient_cannot_set_an_unknown_timezone(patient_client):
    bad_zone = patient_client.patch("/api/v1/me/", {"timezone": "Mars/Olympus"}, format="json")
    assert bad_zone.status_code == 400
    assert "timezone" in bad_zone.json()["error"]["fields"]


def test_a_patient_renames_themself_without_touching_the_clinics_label(patient, patient_client):
    response = patient_client.patch("/api/v1/me/", {"display_name": "Sam"}, format="json")
    assert response.json()["display_name"] == "Sam"
    patient.refresh_from_db()
    assert patient.display_name != "Sam"


def test_staff_have_no_timezone_to_change(physio_client):
    response = physio_client.patch("/api/v1/me/", {"timezone": "Europe/Paris"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_staff_change_their_display_name(physio):
    response = client_for(physio).patch("/api/v1/me/", {"display_name": "Alice B."}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Alice B."
