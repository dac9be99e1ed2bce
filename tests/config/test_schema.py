import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():  # some views read protocol codes for their enums
        generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def responses(schema, path, method):
    return schema["paths"][path][method]["responses"]


def error_statuses(schema, path, method):
    return {
        code
        for code, response in responses(schema, path, method).items()
        if response.get("content", {}).get("application/json", {}).get("schema") == ERROR_REF
    }


def test_the_schema_is_served_to_anyone(anon_client):
    assert anon_client.get("/api/schema/").status_code == 200
    assert anon_client.get("/api/docs/").status_code == 200


def test_a_log_create_documents_every_answer_with_the_error_shape(schema):
    errors = {"400", "401", "403", "409", "413", "415", "429"}
    assert set(responses(schema, "/api/v1/me/pain-logs/", "post")) == {"200", "201", *errors}
    assert error_statuses(schema, "/api/v1/me/pain-logs/", "post") == errors


def test_paths_with_parameters_document_404(schema):
    assert "404" in error_statuses(schema, "/api/v1/me/devices/{token}/", "delete")


def test_sign_in_documents_the_lock_out_with_retry_after(schema):
    locked = responses(schema, "/api/v1/auth/token/", "post")["429"]
    assert "Retry-After" in locked["headers"]
    assert {"400", "401", "429"} <= error_statuses(schema, "/api/v1/auth/token/", "post")


def test_strict_bodies_refuse_unknown_fields_in_the_schema(schema):
    body = schema["components"]["schemas"]["PainLogInRequest"]
    assert body["additionalProperties"] is False


def test_visa_a_q8_values_are_documented_per_branch(schema):
    variants = schema["components"]["schemas"]["VisaAInRequest"]["oneOf"]

    def values(prop):
        return prop["allOf"][0]["enum"]

    by_branch = {values(v["properties"]["q8_branch"])[0]: values(v["properties"]["q8"]) for v in variants}
    assert by_branch == {"A": [0, 7, 14, 21, 30], "B": [0, 4, 10, 14, 20], "C": [0, 2, 5, 7, 10]}
