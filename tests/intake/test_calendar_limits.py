"""Values at the limits of the calendar and of numbers are refused item by item, never a 500.

An instant of year 1 west of UTC or year 9999 east of it has no local date; a
date of 0001-01-01 or 9999-12-31 sits at the end of what a date can hold; a
number may be larger than any column or not finite at all. Alone, each is a
400 naming its field; inside a sync batch each is an `invalid` result naming
its field, and the valid items around it (a post-surgical red flag among
them) are stored exactly once.
"""

import json
import uuid
from datetime import timedelta, timezone

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab.alerts.models import Alert
from rehab.intake.registry import KINDS
from rehab.logs import visa_a
from tests.config.test_error_shape import assert_error
from tests.support.clock import NOW
from tests.support.patient_api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SYNC = "/api/v1/me/sync/"
INFINITY = "__infinity__"  # written into the JSON text as 1e999, which Python reads as inf

EDGE_INSTANTS = [
    f"{day}T{time}{offset}"
    for day, time in (("0001-01-01", "00:00:00"), ("0001-01-01", "12:00:00"), ("9999-12-31", "23:59:59.999999"))
    for offset in ("Z", "+00:00", "-00:01", "-05:00", "-14:00", "+00:01", "+05:30", "+14:00")
] + ["9999-12-31T12:00:00-14:00", "9999-12-31T12:00:00+14:00"]
EDGE_DATES = ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"]
EDGE_NUMBERS = [2**31, 2**63, 2**64 + 1, 10**100, -(10**100), -1, 1e308, -1e308, 0.5, INFINITY]

# Per kind: the body of a valid entry (given its instant or date), and the fields a limit value may replace.
EXERCISE = "isometric-plantarflexion-in-boot"  # of the post-surgical protocol
WHEN = {key: kind.when for key, kind in KINDS.items()}
NUMBERS = {
    "pain_logs": ["score"],
    "exercise_logs": ["sets", "reps", "pain_during"],
    "visa_a": ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"],
    "symptom_reports": [],
    "medication_logs": [],
}


def valid_body(kind: str, when: str) -> dict:
    body = {"client_id": str(uuid.uuid4()), WHEN[kind]: when}
    return (
        body
        | {
            "pain_logs": {"score": 4},
            "exercise_logs": {"exercise": EXERCISE, "sets": 3, "reps": 15, "completed": True, "pain_during": 2},
            "visa_a": {**dict.fromkeys(visa_a.PAIN_FUNCTION_ITEMS, 5), "q7": 4, "q8_branch": "B", "q8": 10},
            "symptom_reports": {"symptoms": ["numbness"]},
            "medication_logs": {"kind": "nsaid", "route": "oral"},
        }[kind]
    )


@st.composite
def valid_body_of(draw, kind: str) -> dict:
    ago = timedelta(seconds=draw(st.integers(0, 7 * 86400)))  # well after the start of care
    if kind == "medication_logs":
        return valid_body(kind, (NOW - ago).date().isoformat())
    offset = timezone(timedelta(minutes=draw(st.integers(-14 * 60, 14 * 60))))
    return valid_body(kind, (NOW - ago).astimezone(offset).isoformat())


@st.composite
def edge_body_of(draw, kind: str) -> tuple[dict, str]:
    """A valid body with one field at its limit, and that field."""
    body = draw(valid_body_of(kind))
    field = draw(st.sampled_from([WHEN[kind], *NUMBERS[kind]]))
    if field != WHEN[kind]:
        body[field] = draw(st.sampled_from(EDGE_NUMBERS))
    else:
        body[field] = draw(st.sampled_from(EDGE_DATES if kind == "medication_logs" else EDGE_INSTANTS))
    return body, field


KIND_KEYS = st.sampled_from(sorted(KINDS))
VALID_ITEMS = KIND_KEYS.flatmap(lambda kind: valid_body_of(kind).map(lambda body: (kind, body, None)))
EDGE_ITEMS = KIND_KEYS.flatmap(lambda kind: edge_body_of(kind).map(lambda edge: (kind, *edge)))


def as_json(body) -> str:
    return json.dumps(body).replace(f'"{INFINITY}"', "1e999")


def stored(kind: str, client_id: str) -> int:
    return KINDS[kind].model.objects.filter(client_id=client_id).count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.one_of(VALID_ITEMS, EDGE_ITEMS), min_size=2, max_size=12))
def test_a_batch_with_items_at_the_limits_stores_its_valid_items_once_and_names_each_bad_field(
    post_surgical_patient, items
):
    batch: dict[str, list] = {}
    for kind, body, _ in items:
        batch.setdefault(kind, []).append(body)
    client = client_for(post_surgical_patient.user)
    with override_settings(THROTTLE_SYNC="100000/min"):  # every example syncs in the same frozen minute
        response = client.generic("POST", SYNC, as_json(batch), content_type="application/json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    place = {kind: iter(results[kind]) for kind in batch}
    for kind, body, field in items:
        result = next(place[kind])
        assert result["client_id"] == body["client_id"]
        if field is None:
            assert result["status"] == "created", result
            assert stored(kind, body["client_id"]) == 1
        else:
            assert result["status"] == "invalid", (body, result)
            assert field in result["errors"], (body, result)
            assert stored(kind, body["client_id"]) == 0


def test_a_post_surgical_red_flag_beside_items_at_the_limits_is_stored_and_alerts(post_surgical_patient):
    red_flag = valid_body("symptom_reports", "2026-03-10T08:00:00Z") | {"symptoms": ["calf_swelling"]}
    batch = {
        "symptom_reports": [valid_body("symptom_reports", edge) for edge in EDGE_INSTANTS] + [red_flag],
        "medication_logs": [valid_body("medication_logs", edge) for edge in EDGE_DATES],
    }
    client = client_for(post_surgical_patient.user)
    results = client.post(SYNC, batch, format="json").json()["results"]
    assert [r["status"] for r in results["symptom_reports"]] == ["invalid"] * len(EDGE_INSTANTS) + ["created"]
    assert {r["status"] for r in results["medication_logs"]} == {"invalid"}
    assert stored("symptom_reports", red_flag["client_id"]) == 1
    assert Alert.objects.filter(patient=post_surgical_patient).exists()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_alone_answers_400_naming_the_field_at_its_limit(post_surgical_patient, kind):
    client = client_for(post_surgical_patient.user)
    path = f"/api/v1/me/{KINDS[kind].path}/"
    edges = EDGE_DATES if kind == "medication_logs" else EDGE_INSTANTS
    cases = [(WHEN[kind], edge) for edge in edges] + [(f, n) for f in NUMBERS[kind] for n in EDGE_NUMBERS]
    for field, edge in cases:
        body = valid_body(kind, "2026-03-09" if kind == "medication_logs" else "2026-03-09T08:00:00Z")
        body[field] = edge
        response = client.generic("POST", path, as_json(body), content_type="application/json")
        assert field in assert_error(response, 400, "validation_error")["fields"], (field, edge)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_number_that_is_not_json_is_a_400(patient_client, constant):
    body = json.dumps(valid_body("pain_logs", "2026-03-09T08:00:00Z")).replace('"score": 4', f'"score": {constant}')
    response = patient_client.generic("POST", "/api/v1/me/pain-logs/", body, content_type="application/json")
    assert_error(response, 400, "validation_error")


def test_a_since_at_the_limits_of_the_calendar_is_answered(patient_client):
    for edge in EDGE_INSTANTS:
        response = patient_client.get("/api/v1/me/pain-logs/", {"since": edge})
        assert response.status_code in (200, 400), (edge, response.content)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_plan_at_the_limits_of_the_calendar_is_answered(patient_client, day):
    assert patient_client.get("/api/v1/me/plan/", {"date": day}).status_code in (200, 404)
