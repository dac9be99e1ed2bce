from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.factories import ClinicAdminFactory, enrolled_patient

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
START = date(2026, 1, 20)  # day 49 on NOW: the 6-8 week review (days 42-56) is open


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def our_patient(clinic, frozen_now):
    """A patient of Alice's clinic, with a sign-in for the app."""
    return enrolled_patient(start=START, clinic=clinic, display_name="Ruth")


@pytest.fixture
def clinic_admin(clinic):
    return ClinicAdminFactory(clinic=clinic, username="carol", display_name="Carol")
