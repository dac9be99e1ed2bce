"""config.db.prepared: the phone's hot statements are prepared by the server once per connection.

What the API would otherwise have PostgreSQL parse and plan at every request (the sign-in's user, the
pain rules' windows, the new entry's INSERT, the newest page) is in the session's prepared statements
after a few requests; with preparing off (a pooler that cannot keep them) the same requests prepare
nothing and answer the same.
"""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from config.db.prepared import prepared_cursor
from config.settings.base import postgresql_tuned

pytestmark = pytest.mark.usefixtures("frozen_now")

URL = "/api/v1/me/pain-logs/"
REQUESTS = 6  # one more than the threshold the test settings share with production's default


def entry() -> dict:
    return {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00+00:00", "score": 3}


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_the_hot_statements_are_prepared_after_a_few_requests(patient, patient_client):
    for _ in range(REQUESTS):
        assert patient_client.post(URL, entry(), format="json").status_code == 201
        assert patient_client.get(URL + "?limit=20").status_code == 200
    prepared = prepared_statements()
    assert any('FROM "patients_user"' in s and 'LEFT OUTER JOIN "patients_patient"' in s for s in prepared)
    assert any(s.lstrip().startswith("WITH asked") for s in prepared)  # the pain rules' windows
    assert any(s.startswith('INSERT INTO "rehab_painlog"') for s in prepared)
    assert any('FROM "rehab_painlog"' in s and "COUNT(*)" in s for s in prepared)  # the newest page
    # Parameters are the server's ($1...), not values written into the SQL: one statement serves every patient.
    assert all("$1" in s for s in prepared)
    # The debug log and query counts still show each one's SQL with its values.
    with CaptureQueriesContext(connection) as queries:
        patient_client.post(URL, entry(), format="json")
    logged = [q["sql"] for q in queries.captured_queries]
    assert logged[0].startswith("SELECT") and f'"patients_user"."id" = {patient.user_id}' in logged[0]


def test_other_queries_keep_django_s_client_side_binding(patient_client):
    with CaptureQueriesContext(connection) as queries:
        for _ in range(REQUESTS):
            assert patient_client.get("/api/v1/me/plan/").status_code == 200
    others = {q["sql"] for q in queries.captured_queries if 'FROM "patients_user"' not in q["sql"]}
    assert others  # the plan reads more than the sign-in's user
    prepared = prepared_statements()
    assert len(prepared) == 1 and 'FROM "patients_user"' in prepared[0]


@pytest.fixture
def unprepared():
    """A connection of its own with preparing off (DATABASE_PREPARE_THRESHOLD=off)."""
    settings_dict = {**connection.settings_dict, "OPTIONS": {**connection.settings_dict["OPTIONS"]}}
    settings_dict["OPTIONS"]["prepare_threshold"] = None
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="unprepared")
    yield wrapper
    wrapper.close()


@pytest.mark.django_db(transaction=True)
def test_with_preparing_off_the_hot_cursor_is_the_ordinary_one_and_prepares_nothing(unprepared):
    for _ in range(REQUESTS):
        with prepared_cursor(unprepared) as cursor:
            cursor.execute("SELECT %s::int + 1", [41])
            assert cursor.fetchone() == (42,)
    with unprepared.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


def test_the_settings_turn_preparing_off_by_the_environment(monkeypatch):
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "rehab"}
    assert postgresql_tuned(database)["OPTIONS"]["prepare_threshold"] == 5
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "off")
    tuned = postgresql_tuned(database)
    assert tuned["OPTIONS"]["prepare_threshold"] is None and tuned["ENGINE"] == "config.db.postgresql"
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    assert postgresql_tuned(sqlite) == sqlite


@pytest.mark.django_db(transaction=True)
def test_the_hot_cursor_loads_instants_in_the_backend_s_zone_as_django_s_cursor_does(unprepared):
    unprepared.ensure_connection()
    unprepared.timezone = ZoneInfo("Asia/Kolkata")  # the backend's zone moved after it connected
    unprepared.settings_dict["OPTIONS"]["prepare_threshold"] = 5  # the server-binding cursor, on this connection
    with prepared_cursor(unprepared) as hot, unprepared.cursor() as ordinary:
        hot.execute("SELECT %s::timestamptz", [datetime(2026, 3, 10, 8, tzinfo=UTC)])
        ordinary.execute("SELECT %s::timestamptz", [datetime(2026, 3, 10, 8, tzinfo=UTC)])
        [(at,)], [(expected,)] = hot.fetchall(), ordinary.fetchall()
    assert at == expected and at.tzinfo == expected.tzinfo == ZoneInfo("Asia/Kolkata")
