"""The API's JWT authentication: the patient comes with the user, and every simplejwt check still holds."""

import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from patients.api.authentication import JWTPatientAuthentication, _ValidatedTokens
from patients.models import Patient
from patients.services.sessions import sessions_end
from tests.support.patient_api import NOW, client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

ME = "/api/v1/me/"


def authenticate(token: str):
    request = Request(RequestFactory().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}"))
    return JWTPatientAuthentication().authenticate(request)


def bearer(token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_authenticates_with_this_class():
    assert [JWTPatientAuthentication] == api_settings.DEFAULT_AUTHENTICATION_CLASSES


def test_a_patients_sign_in_reads_the_user_and_the_patient_in_one_query(patient, django_assert_num_queries):
    token = str(AccessToken.for_user(patient.user))
    authenticate(token)  # the first one in this process reads the rows too (tests/patients/test_sign_in_cache.py)
    with django_assert_num_queries(1):
        user, _ = authenticate(token)
        assert user.patient.pk == patient.pk
        assert user.patient.timezone == patient.timezone


def test_a_staff_sign_in_is_one_query_and_has_no_patient(physio, django_assert_num_queries):
    token = str(AccessToken.for_user(physio))
    authenticate(token)
    with django_assert_num_queries(1):
        user, _ = authenticate(token)
        with pytest.raises(Patient.DoesNotExist):
            user.patient  # noqa: B018 - the join's "no patient" is known without a query
    assert user == physio
    answer = client_for(physio).get(ME)
    assert answer.status_code == 200 and answer.json()["role"] == "physio"


def test_a_patient_reads_their_profile(patient):
    answer = client_for(patient.user).get(ME)
    assert answer.status_code == 200
    assert answer.json()["patient_id"] == patient.pk
    assert answer.json()["enrollment"]["protocol"] == "conservative-calcific-iat"


def assert_refused(answer):
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_malformed_token_is_refused(patient, client):
    assert_refused(client.get(ME, **bearer("not-a-jwt")))


def test_an_expired_token_is_refused(patient, client):
    token = str(AccessToken.for_user(patient.user))
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert_refused(client.get(ME, **bearer(token)))


def test_a_refresh_token_is_not_an_access_token(patient, client):
    assert_refused(client.get(ME, **bearer(RefreshToken.for_user(patient.user))))


def test_a_token_without_a_user_id_is_refused(patient, client):
    token = AccessToken.for_user(patient.user)
    del token["user_id"]
    assert_refused(client.get(ME, **bearer(token)))


def test_a_deleted_users_token_is_refused(patient, client):
    token = str(AccessToken.for_user(patient.user))
    patient.user.delete()
    assert_refused(client.get(ME, **bearer(token)))


def test_an_inactive_users_token_is_refused(patient, client):
    token = str(AccessToken.for_user(patient.user))
    patient.user.is_active = False
    patient.user.save()
    assert_refused(client.get(ME, **bearer(token)))


def test_a_token_issued_before_a_password_change_is_refused(patient, client):
    token = str(AccessToken.for_user(patient.user))
    patient.user.set_password("a-new-long-passphrase")
    patient.user.save()
    assert_refused(client.get(ME, **bearer(token)))
    assert client.get(ME, **bearer(AccessToken.for_user(patient.user))).status_code == 200


def test_a_patient_without_a_patient_row_signs_in_but_is_refused_the_patient_endpoints(patient, client):
    user = patient.user
    Patient.objects.filter(pk=patient.pk).update(user=None)
    token = AccessToken.for_user(user)
    assert client.get(ME, **bearer(token)).status_code == 200
    answer = client.get("/api/v1/me/pain-logs/", **bearer(token))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "permission_denied"


def test_the_schema_documents_the_same_bearer_scheme(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def used_once(client, user) -> str:
    """A token that passed once: its signature and claims are now known to this process."""
    token = str(AccessToken.for_user(user))
    assert client.get(ME, **bearer(token)).status_code == 200
    return token


def test_a_token_s_signature_is_checked_once_per_process(patient, client, monkeypatch):
    decodes = []
    decode = TokenBackend.decode
    monkeypatch.setattr(TokenBackend, "decode", lambda self, *a, **k: decodes.append(1) or decode(self, *a, **k))
    token = used_once(client, patient.user)
    for _ in range(3):
        assert client.get(ME, **bearer(token)).status_code == 200
    assert len(decodes) == 1
    assert client.get(ME, **bearer(AccessToken.for_user(patient.user))).status_code == 200
    assert len(decodes) == 2  # another token is another signature


def test_a_token_that_passed_once_is_refused_once_expired(patient, client):
    token = used_once(client, patient.user)
    never_used = str(AccessToken.for_user(patient.user))
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        answer = client.get(ME, **bearer(token))
        assert_refused(answer)
        assert answer.json() == client.get(ME, **bearer(never_used)).json()  # simplejwt's own refusal


@pytest.mark.parametrize("change", ["inactive", "password", "sessions_end", "deleted"])
def test_a_token_that_passed_once_is_refused_after_the_user_changed(patient, client, change):
    token = used_once(client, patient.user)
    user = patient.user
    if change == "inactive":
        user.is_active = False
        user.save()
    elif change == "password":
        user.set_password("a-new-long-passphrase")
        user.save()
    elif change == "sessions_end":
        sessions_end(user=user)
    else:
        user.delete()
    assert_refused(client.get(ME, **bearer(token)))


def test_the_validated_tokens_kept_are_bounded(monkeypatch):
    kept = _ValidatedTokens()
    monkeypatch.setattr(_ValidatedTokens, "SIZE", 3)
    for n in range(5):
        kept.keep(f"token-{n}".encode(), object())
    assert list(kept._tokens) == [b"token-2", b"token-3", b"token-4"]


def test_the_validated_tokens_kept_stay_bounded_when_threads_keep_them_at_once(monkeypatch):
    kept = _ValidatedTokens()
    monkeypatch.setattr(_ValidatedTokens, "SIZE", 8)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads swap often, so two evictions meet (without the lock: KeyError)

    def keep_many(thread: int) -> None:
        for n in range(20_000):
            kept.keep(f"token-{thread}-{n}".encode(), object())

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(keep_many, range(4)))
    finally:
        sys.setswitchinterval(switch)
    assert len(kept._tokens) == 8
