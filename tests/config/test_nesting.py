"""A body nested deeper than any of the contract's is a 400 before it is parsed, not a crashed parser."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from config.api.parsers import MAX_DEPTH, JSONParser
from tests.config.test_error_shape import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def parse(body: str | bytes):
    raw = body.encode() if isinstance(body, str) else body
    return JSONParser().parse(io.BytesIO(raw), parser_context={})


@pytest.mark.parametrize(
    "body",
    [nested(1000), '{"username": ' + nested(1000) + ', "password": "x"}', "[" * 100_000, '{"a":' * 5000],
    ids=["array", "in-a-field", "unclosed", "unclosed-objects"],
)
def test_a_body_nested_a_thousand_deep_is_a_400_even_without_signing_in(anon_client, body):
    response = anon_client.generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    assert_error(response, 400, "validation_error")


def test_a_deep_body_on_a_signed_in_endpoint_is_a_400_too(patient_client):
    body = '{"pain_logs": [' + nested(1000, "{}") + "]}"
    response = patient_client.generic("POST", "/api/v1/me/sync/", body, content_type="application/json")
    assert_error(response, 400, "validation_error")


def test_the_parser_refuses_what_nests_deeper_than_its_bound():
    with pytest.raises(ParseError, match=f"deeper than {MAX_DEPTH}"):
        parse(nested(MAX_DEPTH + 1))
    with pytest.raises(ParseError, match="pair up"):
        parse("[" * 10 + "]" * 9)


def test_the_parser_reads_bodies_up_to_its_bound_and_ignores_brackets_inside_strings():
    assert parse(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    text = json.dumps({"note": "[" * 1000 + '\\"{', "items": [{"symptoms": ["numbness"]}] * 500})
    assert parse(text) == json.loads(text)


@pytest.mark.parametrize("body", ["[1, NaN]", '{"a": 1', b'{"a": "\xff"}'])
def test_what_is_not_json_is_still_a_parse_error(body):
    with pytest.raises(ParseError):
        parse(body)
