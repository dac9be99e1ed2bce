from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.factories import ClinicAdminFactory, ClinicFactory, PhysioFactory, enrolled_patient
from tests.support import clinician_api, patient_api
from tests.support.clock import NOW
from tests.support.patient_api import client_for


# --- rate limits ------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _no_requests_counted_yet():
    """Every test starts with no requests counted against the rate limits (config.api.throttling)."""
    caches["throttles"].clear()


# --- the one clock ---------------------------------------------------------------------------------------
@pytest.fixture
def frozen_clock(request):
    """The one clock, frozen (not ticking) at the nearest `@pytest.mark.frozen_at(instant)` (on the test,
    its class or its module), else at tests.support.clock.NOW. Yields time-machine's traveller, so a test
    moves the clock with `frozen_clock.move_to(...)`."""
    marker = request.node.get_closest_marker("frozen_at")
    with time_machine.travel(marker.args[0] if marker else NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def frozen_now(frozen_clock, request):
    """The frozen instant itself, for tests that only need "now" to hold still."""
    marker = request.node.get_closest_marker("frozen_at")
    return marker.args[0] if marker else NOW


# --- clinics and their staff (healthchecks' alice/bob/charlie) --------------------------------------------
@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Alice's clinic")


@pytest.fixture
def physio(clinic):
    return PhysioFactory(clinic=clinic, username="alice", display_name="Alice")


@pytest.fixture
def other_physio(db):
    """A physiotherapist of another clinic: must never see the first clinic's data."""
    return PhysioFactory(username="bob", display_name="Bob")


@pytest.fixture
def clinic_admin(clinic):
    return ClinicAdminFactory(clinic=clinic, username="carol", display_name="Carol")


# --- patients and API clients ------------------------------------------------------------------------------
@pytest.fixture
def patient(db):
    return enrolled_patient("conservative-calcific-iat", start=patient_api.START)


@pytest.fixture
def post_surgical_patient(db):
    return enrolled_patient("post-surgical-calcific-iat", start=patient_api.START - timedelta(days=20))


@pytest.fixture
def our_patient(clinic, frozen_now):
    """A patient of Alice's clinic, with a sign-in for the app, on the day their review is open."""
    return enrolled_patient(start=clinician_api.START, clinic=clinic, display_name="Ruth")


@pytest.fixture
def patient_client(patient):
    return client_for(patient.user)


@pytest.fixture
def physio_client(physio):
    return client_for(physio)


@pytest.fixture
def anon_client():
    return APIClient()
