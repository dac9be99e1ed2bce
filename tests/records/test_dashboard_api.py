"""GET /api/v1/patients/: the dashboard over HTTP, in a fixed number of queries."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from patients.models import AuditEntry
from rehab.alerts.services.alerts import alert_raise
from rehab.logs.models import ExerciseLog, PainLog, VisaAResponse
from tests.factories import enrolled_patient
from tests.support.clinician_api import START, TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")


def _with_history(clinic, n: int, offset: int = 0):
    protocols = ("conservative-calcific-iat", "post-surgical-calcific-iat", "conservative-achilles-ho")
    zones = ("Europe/London", "America/New_York", "Pacific/Auckland")
    for i in range(n):
        patient = enrolled_patient(
            protocols[i % 3],
            start=START + timedelta(days=i % 30),
            clinic=clinic,
            timezone=zones[i % 3],
            display_name=f"P{offset + i:03d}",
        )
        at = datetime(2026, 3, 9, 9, tzinfo=UTC)
        for day in range(3):
            on = TODAY - timedelta(days=day + 1)
            PainLog.objects.create(
                patient=patient, client_id=uuid.uuid4(), local_date=on, received_at=at, recorded_at=at, score=4
            )
            ExerciseLog.objects.create(
                patient=patient, client_id=uuid.uuid4(), local_date=on, received_at=at, performed_at=at,
                exercise="calf-stretch", sets=3, reps=1, completed=True,
            )  # fmt: skip
        VisaAResponse.objects.create(
            patient=patient, client_id=uuid.uuid4(), local_date=START, received_at=at, completed_at=at,
            q1=5, q2=5, q3=5, q4=5, q5=5, q6=5, q7=4, q8_branch="B", q8=10, score=44,
        )  # fmt: skip
        alert_raise(patient=patient, code="exercise_pain_high", reason="Pain 7/10.", evidence={})


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("ordering", ["display_name", "-pain_7d_mean", "adherence_7d", "-open_alerts"])
def test_the_dashboard_costs_the_same_queries_for_5_and_for_50_patients(
    clinic, physio, ordering, django_assert_num_queries
):
    client = client_for(physio)
    url = f"/api/v1/patients/?limit=200&ordering={ordering}"
    assert client.get("/api/v1/me/").status_code == 200  # the sign-in's first read of the user, not counted
    _with_history(clinic, 5)
    five = _count_queries(client, url)
    assert five <= 14  # user, zones, versions, count, page, 2 adherence, 2 baselines, milestones, audit (+3 ordering)
    _with_history(clinic, 45, offset=5)
    with django_assert_num_queries(five):
        response = client.get(url)
    assert len(response.json()["results"]) == 50


def test_a_row_carries_every_field_of_the_contract(clinic, physio, our_patient):
    response = client_for(physio).get("/api/v1/patients/")
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    [row] = body["results"]
    assert set(row) >= {
        "id", "display_name", "status", "protocol", "day", "phase", "latest_pain", "pain_7d_mean", "baseline_pain",
        "visa_a_latest", "visa_a_baseline", "adherence_7d", "last_log_at", "open_alerts", "next_milestone",
    }  # fmt: skip
    assert row["day"] == 49 and row["phase"] == "conservative-trial"
    assert row["next_milestone"] == {
        "code": "review-6-8-weeks",
        "window_start": "2026-03-03",
        "window_end": "2026-03-17",
    }


def test_query_parameters_filter_and_order_the_list(clinic, physio):
    _with_history(clinic, 3)
    client = client_for(physio)
    names = [r["display_name"] for r in client.get("/api/v1/patients/?ordering=-display_name").json()["results"]]
    assert names == ["P002", "P001", "P000"]
    assert client.get("/api/v1/patients/?search=p001").json()["count"] == 1
    assert client.get("/api/v1/patients/?has_open_alerts=true").json()["count"] == 3
    assert client.get("/api/v1/patients/?phase=boot-heel-lift").json()["count"] == 1
    assert client.get("/api/v1/patients/?status=discharged").json()["count"] == 0
    page = client.get("/api/v1/patients/?limit=2").json()
    assert len(page["results"]) == 2 and page["next"] is not None


def test_an_empty_yes_no_filter_is_no_filter_as_the_schema_documents(clinic, physio):
    """What an HTML form sends for "either"; the schema says an empty value is taken (schemathesis checks that
    a value the schema calls invalid is refused)."""
    _with_history(clinic, 3)
    client = client_for(physio)
    assert client.get("/api/v1/patients/?has_open_alerts=").json()["count"] == 3
    assert client.get("/api/v1/patients/?has_open_alerts=false").json()["count"] == 0
    assert client.get("/api/v1/patients/?has_open_alerts=maybe").status_code == 400
    parameter = next(
        p
        for p in SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/patients/"]["get"][
            "parameters"
        ]
        if p["name"] == "has_open_alerts"
    )
    assert {"type": "string", "maxLength": 0} in parameter["schema"]["anyOf"]


def test_an_unknown_ordering_or_status_is_a_400_naming_the_parameter(physio):
    response = client_for(physio).get("/api/v1/patients/?ordering=secret_field&status=lost")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"ordering", "status"}


def test_the_list_records_which_patients_a_clinician_saw(clinic, physio):
    _with_history(clinic, 3)
    client_for(physio).get("/api/v1/patients/?limit=2", REMOTE_ADDR="10.1.2.3")
    entries = AuditEntry.objects.filter(actor=physio)
    assert entries.count() == 2
    assert {e.action for e in entries} == {"read"} and {e.ip_address for e in entries} == {"10.1.2.3"}
    assert {e.patient.display_name for e in entries} == {"P000", "P001"}
