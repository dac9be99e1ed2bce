"""Sessions that end: refresh tokens rotate (with a short grace for a lost answer) and sign-out revokes one."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from patients.api.serializers import tokens_for
from patients.models import RotatedRefreshToken
from patients.services.sessions import sessions_end
from tests.support.clock import NOW

pytestmark = [pytest.mark.django_db]

REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"


def refresh(token: str):
    return APIClient().post(REFRESH_URL, {"refresh": token}, format="json")


def logout(token: str):
    return APIClient().post(LOGOUT_URL, {"refresh": token}, format="json")


def me(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/me/")


def refused(response) -> bool:
    return response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


@pytest.fixture
def phone(patient, frozen_clock):
    return tokens_for(patient.user)


def test_refresh_answers_a_new_access_token_and_a_new_refresh_token(phone):
    response = refresh(phone["refresh"])
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"access", "refresh"} and answer["refresh"] != phone["refresh"]
    assert me(answer["access"]).status_code == 200
    assert refresh(answer["refresh"]).status_code == 200


def test_the_refresh_token_sent_stops_working_once_the_grace_is_over(phone, frozen_clock, settings):
    assert refresh(phone["refresh"]).status_code == 200
    frozen_clock.move_to(NOW + timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS + 1))
    assert refused(refresh(phone["refresh"]))


def test_within_the_grace_a_phone_whose_answer_was_lost_refreshes_once_more(phone, frozen_clock):
    assert refresh(phone["refresh"]).status_code == 200  # the answer never reached the phone
    frozen_clock.move_to(NOW + timedelta(seconds=10))
    again = refresh(phone["refresh"])
    assert again.status_code == 200
    assert me(again.json()["access"]).status_code == 200
    assert refresh(again.json()["refresh"]).status_code == 200


def test_the_grace_serves_once(phone):
    assert refresh(phone["refresh"]).status_code == 200
    assert refresh(phone["refresh"]).status_code == 200
    assert refused(refresh(phone["refresh"]))


def test_a_stolen_refresh_token_replayed_after_the_grace_ends_every_session_of_the_sign_in(phone, frozen_clock):
    rotated = refresh(phone["refresh"]).json()  # the phone's own refresh
    frozen_clock.move_to(NOW + timedelta(minutes=5))
    assert refused(refresh(phone["refresh"]))  # the thief's replay of the copy they took
    # Which of the two held the copy cannot be told, so neither keeps a session: both sign in again.
    assert refused(refresh(rotated["refresh"]))
    assert refused(me(rotated["access"]))


def test_the_grace_is_a_setting(phone, settings):
    settings.JWT_REFRESH_GRACE_SECONDS = 0
    assert refresh(phone["refresh"]).status_code == 200
    assert refused(refresh(phone["refresh"]))


def test_a_refresh_token_from_before_rotation_was_recorded_still_rotates(patient, frozen_clock):
    """Tokens issued before the outstanding-token list existed have no row in it: they rotate as any other."""
    tokens = tokens_for(patient.user)
    OutstandingToken.objects.all().delete()
    assert refresh(tokens["refresh"]).status_code == 200
    assert refresh(tokens["refresh"]).status_code == 200  # the grace
    assert refused(refresh(tokens["refresh"]))


def test_logout_revokes_the_refresh_token(phone):
    assert logout(phone["refresh"]).status_code == 204
    assert refused(refresh(phone["refresh"]))


def test_a_revoked_or_unknown_refresh_token_cannot_log_out(phone):
    assert logout(phone["refresh"]).status_code == 204
    assert refused(logout(phone["refresh"]))
    assert refused(logout("not.a.jwt"))
    assert refused(logout(phone["access"]))  # an access token is not a refresh token


def test_logout_ends_the_grace_of_a_rotated_refresh_token(phone):
    assert refresh(phone["refresh"]).status_code == 200
    assert logout(phone["refresh"]).status_code == 204
    assert refused(refresh(phone["refresh"]))


def test_ending_a_sign_ins_sessions_refuses_its_access_tokens_at_once(patient, phone):
    sessions_end(user=patient.user)
    assert refused(me(phone["access"]))
    assert refused(refresh(phone["refresh"]))
    assert me(tokens_for(patient.user)["access"]).status_code == 200


def test_expired_tokens_and_their_rotations_are_flushed(phone, frozen_clock, settings):
    refresh(phone["refresh"])
    frozen_clock.move_to(NOW + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(seconds=1))
    call_command("flushexpiredtokens")
    assert not OutstandingToken.objects.exists() and not RotatedRefreshToken.objects.exists()
