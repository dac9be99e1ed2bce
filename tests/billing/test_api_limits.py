"""Input at its limits is a 400 naming the field (or stored), never a 500."""

from datetime import date

import pytest

from tests.billing.rtm import rtm_patient, utc
from tests.config.test_error_shape import assert_error

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(utc(2026, 11, 20, 12)),
    pytest.mark.usefixtures("frozen_clock"),
]


@pytest.fixture
def ruth(clinic, physio):
    return rtm_patient(clinic, physio, started_on=date(2026, 10, 1))


@pytest.mark.parametrize("started_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_an_instant_at_the_calendars_ends_is_a_400_on_it(ruth, physio_client, started_at):
    body = {"activity": "call", "started_at": started_at, "minutes": 5, "interactive": True}
    response = physio_client.post(f"/api/v1/patients/{ruth.pk}/rtm/time-entries/", body, format="json")
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"started_at"}


@pytest.mark.parametrize("month", ["2026-1", "1999-12", "2100-01", "2026-00", ""])
def test_a_month_not_written_yyyy_mm_in_range_is_a_400_on_it(ruth, physio_client, month):
    response = physio_client.get(f"/api/v1/patients/{ruth.pk}/rtm/ledger/", {"month": month})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"month"}


@pytest.mark.parametrize("month", ["2000-01", "2099-12"])
def test_the_months_at_the_ends_of_the_range_are_answered(ruth, physio_client, month):
    assert physio_client.get(f"/api/v1/patients/{ruth.pk}/rtm/ledger/", {"month": month}).status_code == 200
