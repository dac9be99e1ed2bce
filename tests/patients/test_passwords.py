"""A password is what was typed, spaces and all: activation stores it so, and sign-in compares it so."""

import pytest
from rest_framework.test import APIClient

from patients.services.activation import activation_code_issue
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SPACED = "  a long enough passphrase  "


def sign_in(username: str, password: str):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


@pytest.fixture
def activated(clinic, physio):
    patient = PatientFactory(clinic=clinic, user=None)
    code = activation_code_issue(patient=patient, by=physio)
    body = {"activation_code": code, "username": "spacey", "password": SPACED}
    assert APIClient().post("/api/v1/auth/activate/", body, format="json").status_code == 201
    return patient


def test_a_password_with_spaces_around_it_signs_in_as_it_was_activated(activated):
    assert sign_in("spacey", SPACED).status_code == 200


def test_the_same_password_without_its_spaces_is_another_password(activated):
    assert sign_in("spacey", SPACED.strip()).status_code == 401


def test_a_staff_password_with_spaces_around_it_signs_in(physio):
    physio.set_password(" staff passphrase ")
    physio.save()
    assert sign_in("alice", " staff passphrase ").status_code == 200
    assert sign_in("alice", "staff passphrase").status_code == 401
