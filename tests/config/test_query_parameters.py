"""Query parameters mean one thing each: given twice, malformed or mangled in transit, they are a 400 naming them."""

import pytest

from tests.config.test_error_shape import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("/api/v1/me/pain-logs/", "limit=2&limit=3", "limit"),
        ("/api/v1/me/pain-logs/", "offset=0&offset=1", "offset"),
        ("/api/v1/me/pain-logs/", "since=2026-03-01T00:00:00Z&since=2026-03-09T00:00:00Z", "since"),
        ("/api/v1/me/plan/", "date=2026-03-05&date=2026-03-06", "date"),
    ],
)
def test_a_patients_parameter_given_twice_is_a_400_naming_it(patient_client, path, query, name):
    error = assert_error(patient_client.get(f"{path}?{query}"), 400, "validation_error")
    assert error["fields"] == {name: ["Give this parameter once."]}


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("/api/v1/patients/", "status=active&status=discharged", "status"),
        ("/api/v1/patients/", "limit=1&limit=200", "limit"),
        ("/api/v1/alerts/", "status=open&status=resolved", "status"),
        ("/api/v1/patients/{id}/clinical-events/", "limit=1&limit=2", "limit"),
        ("/api/v1/patients/{id}/pain-logs/", "since=2026-03-01T00:00:00Z&since=2026-03-02T00:00:00Z", "since"),
    ],
)
def test_a_clinicians_parameter_given_twice_is_a_400_naming_it(physio_client, our_patient, path, query, name):
    response = physio_client.get(path.format(id=our_patient.pk) + "?" + query)
    assert assert_error(response, 400, "validation_error")["fields"] == {name: ["Give this parameter once."]}


def test_a_since_whose_plus_arrived_as_a_space_says_to_encode_it(patient_client):
    response = patient_client.get("/api/v1/me/pain-logs/?since=2026-03-10T12:00:00 00:00")
    [message] = assert_error(response, 400, "validation_error")["fields"]["since"]
    assert "%2B" in message


def test_a_since_with_its_plus_encoded_is_read(patient_client):
    assert patient_client.get("/api/v1/me/pain-logs/?since=2026-03-10T12:00:00%2B00:00").status_code == 200


@pytest.mark.parametrize(
    "value", ["20260305", "2026-3-5", "2026-W10-4", "2026-064", "2026-03-05T00:00:00Z", " 2026-03-05"]
)
def test_a_plan_date_not_written_yyyy_mm_dd_is_a_400(patient_client, value):
    response = patient_client.get("/api/v1/me/plan/", {"date": value})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"date"}


@pytest.mark.parametrize("value", ["20260310T120000Z", "2026-W11-2T12:00:00Z", "2026-069T12:00:00Z", "2026-03-10T12Z"])
def test_a_since_not_in_the_extended_calendar_form_is_a_400(patient_client, value):
    response = patient_client.get("/api/v1/me/pain-logs/", {"since": value})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"since"}
