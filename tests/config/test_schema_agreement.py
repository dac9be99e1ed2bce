"""What the schema calls invalid the server refuses, and the schema says what the server refuses.

Generated clients validate against the schema; a value the schema forbids but
the server stores (or the reverse) is a disagreement some client will meet.
"""

import uuid

import pytest
from drf_spectacular.generators import SchemaGenerator

from config.api.serializers import DATE, StrictSerializerMixin
from rehab.care.models import ClinicalEvent
from tests.config.test_error_shape import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture(scope="module")
def components(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def refused_fields(response) -> set[str]:
    return set(assert_error(response, 400, "validation_error")["fields"])


# --- lengths count what was sent -----------------------------------------------------------------------------
def test_a_device_token_over_the_schemas_max_length_is_refused_even_with_spaces_around_it(patient_client):
    token = " " + "t" * 512 + " "
    response = patient_client.post("/api/v1/me/devices/", {"platform": "ios", "token": token}, format="json")
    assert refused_fields(response) == {"token"}


def test_a_device_token_at_the_max_length_is_registered(patient_client):
    response = patient_client.post("/api/v1/me/devices/", {"platform": "ios", "token": "t" * 512}, format="json")
    assert response.status_code == 201


def test_a_display_name_over_its_max_length_is_refused_even_with_spaces_around_it(physio_client, our_patient):
    response = physio_client.patch(
        f"/api/v1/patients/{our_patient.pk}/", {"display_name": "R" * 200 + "  "}, format="json"
    )
    assert refused_fields(response) == {"display_name"}


# --- patterns read what was sent -----------------------------------------------------------------------------
def test_an_exercise_code_with_spaces_around_it_is_refused_as_the_schemas_pattern_says(patient_client):
    body = {
        "client_id": str(uuid.uuid4()),
        "performed_at": "2026-03-09T08:00:00Z",
        "exercise": " calf-stretch ",
        "sets": 3,
        "reps": 10,
        "completed": True,
    }
    assert refused_fields(patient_client.post("/api/v1/me/exercise-logs/", body, format="json")) == {"exercise"}


def test_quiet_hours_with_spaces_around_them_are_refused_as_the_schemas_pattern_says(patient_client):
    response = patient_client.patch("/api/v1/me/", {"quiet_hours": {"start": " 21:00", "end": "08:00"}}, format="json")
    assert refused_fields(response) == {"quiet_hours.start"}


# --- dates are YYYY-MM-DD, instants the extended calendar form ------------------------------------------------
@pytest.mark.parametrize("taken_on", ["20260305", "2026-3-5", "2026-W10-4", "2026-064", "2026-03-05T00:00:00Z"])
def test_a_medication_date_not_written_yyyy_mm_dd_is_a_400_on_it(patient_client, taken_on):
    body = {"client_id": str(uuid.uuid4()), "taken_on": taken_on, "kind": "nsaid", "route": "oral"}
    assert refused_fields(patient_client.post("/api/v1/me/medication-logs/", body, format="json")) == {"taken_on"}


@pytest.mark.parametrize("start_date", ["20260305", "2026-3-5"])
def test_a_clinicians_date_not_written_yyyy_mm_dd_is_a_400_on_it(physio_client, our_patient, start_date):
    body = {"protocol": "post-surgical-calcific-iat", "start_date": start_date}
    response = physio_client.post(f"/api/v1/patients/{our_patient.pk}/enrollments/", body, format="json")
    assert refused_fields(response) == {"start_date"}


@pytest.mark.parametrize(
    "recorded_at", ["20260309T080000Z", "2026-W10-1T08:00:00Z", "2026-068T08:00:00Z", "2026-03-09T08Z", "2026-03-09"]
)
def test_an_instant_not_in_the_extended_calendar_form_is_a_400_on_it(patient_client, recorded_at):
    body = {"client_id": str(uuid.uuid4()), "recorded_at": recorded_at, "score": 3}
    assert refused_fields(patient_client.post("/api/v1/me/pain-logs/", body, format="json")) == {"recorded_at"}


@pytest.mark.parametrize("recorded_at", ["2026-03-09T08:00:00Z", "2026-03-09T09:00:00.250+01:00", "2026-03-09T08:00Z"])
def test_instants_as_phones_write_them_are_read(patient_client, recorded_at):
    body = {"client_id": str(uuid.uuid4()), "recorded_at": recorded_at, "score": 3}
    assert patient_client.post("/api/v1/me/pain-logs/", body, format="json").status_code == 201


def test_the_schema_gives_every_date_input_the_yyyy_mm_dd_pattern(components):
    assert components["MedicationLogInRequest"]["oneOf"][0]["properties"]["taken_on"]["pattern"] == DATE


# --- unknown fields ---------------------------------------------------------------------------------------------
def strict_request_components(components) -> dict:
    bases = {cls.__name__.removesuffix("Serializer") for cls in _subclasses(StrictSerializerMixin)}
    names = {f"{prefix}{base}Request" for base in bases for prefix in ("", "Patched")}
    return {name: components[name] for name in names if name in components}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_strict_body_says_it_refuses_unknown_fields(components):
    found = strict_request_components(components)
    assert {"PainLogInRequest", "ExerciseOverrideRequest", "ImagingDetailsRequest", "DeviceInRequest"} <= set(found)
    for name, schema in found.items():
        shapes = schema.get("oneOf", [schema])
        assert all(shape["additionalProperties"] is False for shape in shapes), name


# --- clinical event kinds ------------------------------------------------------------------------------------
def test_the_clinical_event_shapes_the_schema_documents_are_the_kinds_the_server_takes(components):
    mapping = components["ClinicalEventInRequest"]["discriminator"]["mapping"]
    assert set(mapping) == set(ClinicalEvent.Kind.values)
    assert len(set(mapping.values())) == len(mapping), "one shape per kind"
    for shape in components["ClinicalEventInRequest"]["oneOf"]:
        name = shape["$ref"].rsplit("/", 1)[1]
        kinds = components[components[name]["properties"]["kind"]["$ref"].rsplit("/", 1)[1]]["enum"]
        assert len(kinds) == 1 and mapping[kinds[0]].endswith(f"/{name}")


@pytest.mark.parametrize("kind", ["massage", "Imaging", "imaging ", ""])
def test_a_clinical_event_kind_outside_the_documented_shapes_is_a_400_on_kind(physio_client, our_patient, kind):
    body = {"kind": kind, "date": "2026-03-01", "details": {}}
    response = physio_client.post(f"/api/v1/patients/{our_patient.pk}/clinical-events/", body, format="json")
    assert refused_fields(response) == {"kind"}


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2100-01-01", "9999-12-31"])
def test_a_clinical_event_dated_outside_the_care_years_is_a_400_on_its_date(physio_client, our_patient, day):
    body = {"kind": "surgery", "date": day, "details": {}}
    response = physio_client.post(f"/api/v1/patients/{our_patient.pk}/clinical-events/", body, format="json")
    assert refused_fields(response) == {"date"}
