"""Tokens of a sign-in that changed after they were issued: reset, deactivated, deleted."""

import pytest
from rest_framework.test import APIClient

from patients.api.serializers import tokens_for
from patients.models import User
from patients.services.activation import activation_code_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

REFRESH_URL = "/api/v1/auth/token/refresh/"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def refresh(token: str):
    return APIClient().post(REFRESH_URL, {"refresh": token}, format="json")


def reactivate(code: str):
    body = {"activation_code": code, "username": "ruth-new-phone", "password": "a-long-enough-Passphrase"}
    return APIClient().post("/api/v1/auth/activate/", body, format="json")


def test_a_lost_phones_tokens_stop_working_once_the_patient_activates_a_new_code(patient, physio):
    lost_phone = tokens_for(patient.user)
    assert bearer(lost_phone["access"]).get("/api/v1/me/").status_code == 200

    assert reactivate(activation_code_issue(patient=patient, by=physio)).status_code == 201

    response = bearer(lost_phone["access"]).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert refresh(lost_phone["refresh"]).status_code == 401


def test_the_new_phones_tokens_work_after_reactivation(patient, physio):
    new_phone = reactivate(activation_code_issue(patient=patient, by=physio)).json()
    assert bearer(new_phone["access"]).get("/api/v1/me/plan/").status_code == 200
    assert refresh(new_phone["refresh"]).status_code == 200


def test_a_deactivated_sign_ins_tokens_are_refused(physio):
    tokens = tokens_for(physio)
    User.objects.filter(pk=physio.pk).update(is_active=False)
    assert bearer(tokens["access"]).get("/api/v1/patients/").status_code == 401
    response = refresh(tokens["refresh"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_deleted_sign_ins_refresh_token_is_a_401_not_a_crash(physio):
    tokens = tokens_for(physio)
    User.objects.filter(pk=physio.pk).delete()
    response = refresh(tokens["refresh"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_bad_token_says_why_in_the_message():
    response = bearer("not-a-jwt").get("/api/v1/me/")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert "token" in error["message"].lower()
