import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from rest_framework_simplejwt.tokens import AccessToken

from rehab.models import PainLog
from rehab.simulation.ceiling import pain_log_ceiling
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_bench_ceiling_is_not_reachable_unless_bench_endpoints_are_on(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench-pain-log")
    assert client.post("/bench/pain-log/", data={}, content_type="application/json").status_code == 404


def _post(token: str | None, body: dict):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    request = RequestFactory().post("/bench/pain-log/", json.dumps(body), content_type="application/json", **headers)
    return pain_log_ceiling(request)


def test_the_ceiling_inserts_one_pain_log_for_the_token_s_patient_and_refuses_no_token():
    patient = PatientFactory(timezone="Australia/Sydney")
    at = datetime.now(UTC) - timedelta(minutes=1)
    body = {"client_id": "5f1b1e9e-43a4-4f51-8f0e-0a5b3c2d1e00", "recorded_at": at.isoformat(), "score": 4}

    assert _post(None, body).status_code == 401
    response = _post(str(AccessToken.for_user(patient.user)), body)

    assert response.status_code == 201
    log = PainLog.objects.get(patient=patient)
    assert (log.score, log.local_date) == (4, at.astimezone(ZoneInfo("Australia/Sydney")).date())
