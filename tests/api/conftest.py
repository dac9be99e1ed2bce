from datetime import date, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from patients.api.serializers import tokens_for
from tests.factories import enrolled_patient

# The patient API tests run at a fixed instant (`pytestmark = pytest.mark.usefixtures("frozen_now")`),
# so "today" and "5 minutes in the future" are stable.
NOW = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
START = date(2026, 3, 1)  # day 9 on NOW for a London patient


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    return client


@pytest.fixture
def patient(db):
    return enrolled_patient("conservative-calcific-iat", start=START)


@pytest.fixture
def post_surgical_patient(db):
    return enrolled_patient("post-surgical-calcific-iat", start=START - timedelta(days=20))


@pytest.fixture
def patient_client(patient):
    return client_for(patient.user)


@pytest.fixture
def physio_client(physio):
    return client_for(physio)


@pytest.fixture
def anon_client():
    return APIClient()
