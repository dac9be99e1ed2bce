"""Rate limits: hammering, code guessing and credential spraying end in 429 `throttled` with Retry-After.

The test settings keep every limit on at its default; a test that needs a smaller one to stay quick
says so with a settings override, as a test that needs many requests raises one.
"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from patients.api.serializers import tokens_for
from tests.support.clock import NOW
from tests.support.patient_api import client_for
from tests.test_project import PRODUCTION_ENV

pytestmark = [pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent.parent
ACTIVATE = "/api/v1/auth/activate/"
SIGN_IN = "/api/v1/auth/token/"


def assert_throttled(response, retry_after: int) -> None:
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled" and error["fields"] == {}
    assert int(response["Retry-After"]) == retry_after


def guess(code: str = "AAAA-BBBB-CCCC", **extra):
    body = {"activation_code": code, "username": "mallory", "password": "a-long-enough-Passphrase"}
    return APIClient().post(ACTIVATE, body, format="json", **extra)


def sign_in(username: str, **extra):
    return APIClient().post(SIGN_IN, {"username": username, "password": "guess"}, format="json", **extra)


# --- per address, where nobody is signed in ------------------------------------------------------------------
def test_guessing_activation_codes_from_one_address_is_throttled_at_the_default_rate(frozen_clock):
    for _ in range(10):
        assert guess().status_code == 400
    assert_throttled(guess(), retry_after=60)


def test_the_activation_limit_frees_up_as_the_minute_passes(frozen_clock):
    for _ in range(10):
        guess()
    frozen_clock.move_to(NOW + timedelta(seconds=45))
    assert_throttled(guess(), retry_after=15)
    frozen_clock.move_to(NOW + timedelta(seconds=60))
    assert guess().status_code == 400


def test_another_address_has_its_own_activation_limit(frozen_clock):
    for _ in range(10):
        guess(REMOTE_ADDR="198.51.100.1")
    assert guess(REMOTE_ADDR="198.51.100.1").status_code == 429
    assert guess(REMOTE_ADDR="198.51.100.2").status_code == 400


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(frozen_clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(10):
        guess(HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert guess(HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    assert guess(HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 400


def test_a_spoofed_forwarded_address_does_not_buy_a_new_limit(frozen_clock):
    for attempt in range(10):
        guess(HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    assert guess(HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_spraying_one_password_over_many_usernames_is_throttled_before_any_lock_out(frozen_clock):
    for n in range(30):
        assert sign_in(f"user{n}").status_code == 401
    assert_throttled(sign_in("user30"), retry_after=60)


def test_refreshing_with_guessed_tokens_is_throttled(frozen_clock, settings):
    settings.THROTTLE_REFRESH = "3/min"
    for _ in range(3):
        assert APIClient().post("/api/v1/auth/token/refresh/", {"refresh": "x.y.z"}, format="json").status_code == 401
    assert_throttled(APIClient().post("/api/v1/auth/logout/", {"refresh": "x.y.z"}, format="json"), retry_after=60)


# --- per sign-in ---------------------------------------------------------------------------------------------
def test_a_signed_in_sign_in_hammering_the_api_is_throttled_and_others_are_not(patient, physio, frozen_clock):
    hammer = client_for(physio)
    for _ in range(300):
        assert hammer.get("/api/v1/me/").status_code == 200
    assert_throttled(hammer.get("/api/v1/me/"), retry_after=60)
    assert client_for(patient.user).get("/api/v1/me/").status_code == 200


def test_sync_has_a_budget_of_its_own(patient, frozen_clock, settings):
    settings.THROTTLE_SYNC = "2/min"
    phone = client_for(patient.user)
    for _ in range(2):
        assert phone.post("/api/v1/me/sync/", {}, format="json").status_code == 200
    assert_throttled(phone.post("/api/v1/me/sync/", {}, format="json"), retry_after=60)
    assert phone.get("/api/v1/me/plan/").status_code == 200


def test_a_phone_syncing_normally_never_meets_the_limits(patient, frozen_clock):
    """An hour of a busy phone at the default limits: a sync and a few reads a minute, a refresh now and then."""
    phone, tokens = APIClient(), tokens_for(patient.user)
    for minute in range(60):
        frozen_clock.move_to(NOW + timedelta(minutes=minute))
        if minute % 10 == 0:
            tokens = phone.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json").json()
            phone.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert phone.post("/api/v1/me/sync/", {}, format="json").status_code == 200
        assert phone.get("/api/v1/me/").status_code == 200
        assert phone.get("/api/v1/me/plan/").status_code == 200
        assert phone.get("/api/v1/me/pain-logs/").status_code == 200


def test_a_raised_limit_lets_many_requests_through(physio, frozen_clock, settings):
    settings.THROTTLE_USER = "1000/min"
    client = client_for(physio)
    assert all(client.get("/api/v1/me/").status_code == 200 for _ in range(301))


# --- settings and schema ----------------------------------------------------------------------------------
def test_the_environment_sets_the_limits():
    names = ("THROTTLE_USER", "THROTTLE_SYNC", "THROTTLE_ACTIVATION", "THROTTLE_SIGN_IN", "THROTTLE_REFRESH")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **{n: "100000/min" for n in names}}
    code = (
        f"import django; django.setup(); from django.conf import settings as s; print([getattr(s, n) for n in {names}])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(["100000/min"] * len(names))


def test_the_schema_documents_429_with_retry_after_where_a_limit_applies(physio):
    schema = client_for(physio).get("/api/schema/?format=json").json()
    for path, method in [
        ("/api/v1/me/", "get"),
        ("/api/v1/me/sync/", "post"),
        ("/api/v1/patients/", "get"),
        ("/api/v1/auth/activate/", "post"),
        ("/api/v1/auth/token/refresh/", "post"),
        ("/api/v1/auth/logout/", "post"),
        ("/api/v1/auth/token/", "post"),
    ]:
        answer = schema["paths"][path][method]["responses"]["429"]
        assert "Retry-After" in answer["headers"], (path, method)


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        (PRODUCTION_ENV, "django.core.cache.backends.redis.RedisCache"),
        ({"DJANGO_SETTINGS_MODULE": "config.settings.local"}, "django.core.cache.backends.filebased.FileBasedCache"),
    ],
)
def test_every_environment_counts_in_a_shared_cache(env, backend):
    """Counted per process, a limit would multiply by the number of workers."""
    code = "import django; django.setup(); from django.core.cache import caches; print(type(caches['throttles']))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert backend.rsplit(".", 1)[1] in out.stdout
