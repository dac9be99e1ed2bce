"""Fixtures of the patients and alerts pages' tests: a physio signed in to the web, and a clinic's data."""

from datetime import time, timedelta

import pytest
from django.test import Client

from config import clock
from tests.factories import enrolled_patient
from tests.support import logs
from tests.support.clinician_api import START


@pytest.fixture
def alice_web(physio, frozen_clock):
    """Alice, signed in (her clinic does not require TOTP and she has no device: no second factor owed)."""
    client = Client()
    client.force_login(physio)
    return client


@pytest.fixture
def anonymous_web(db):
    """A browser with no session."""
    return Client()


@pytest.fixture
def ruth(clinic, physio, frozen_clock):
    """Alice's patient, day 49 of conservative care (the 6-8 week review is open), with two weeks of pain."""
    patient = enrolled_patient(start=START, clinic=clinic, display_name="Ruth", assigned_physio=physio)
    today = clock.local_today(patient.timezone)
    for n in range(1, 15):
        on = today - timedelta(days=n)
        morning = clock.local_instant(on, time(7, 30), patient.timezone)
        logs.pain(patient, 5 + n % 3, morning, "morning", check=False)
        logs.pain(patient, 3, morning + timedelta(hours=10), "activity", check=False)
    return patient
