"""The ingestion benchmark's ceiling: the least a pain-entry POST or a newest-20 GET can cost on this stack.

A bare WSGI application outside the project: Django configured here with no
installed apps and no middleware, the same database (DATABASE_URL, persistent
connections as in production, no health-check ping: the one statement is the
whole request), and one view. The view decodes the patient's JWT with PyJWT
(the project's signing key; HS256, simplejwt's default, which the project
keeps) and answers with ONE statement: an `INSERT ... ON CONFLICT DO NOTHING
RETURNING id` for a POST, a `SELECT ... ORDER BY recorded_at DESC LIMIT 20`
for a GET. It skips every check the API makes (validation, the user's state,
the token's version, rate limits, idempotency answers, the safety rules, the
list's count), so it is a yardstick for the API, never a way in: nothing of
the project imports it, and only bench/ingest.py serves it, on loopback.

    gunicorn --pythonpath bench ceiling_app:application
"""

import json
import os
import uuid
from datetime import UTC, datetime

import environ
import jwt
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY") or os.environ["DJANGO_SECRET_KEY"]
ALGORITHM = "HS256"

# The patient is found from the token's user in the statement itself, and the entry's local date is worked
# out there in the patient's zone, so the one round trip is the whole request. A repeated client_id stores
# nothing.
INSERT = """
INSERT INTO rehab_painlog (patient_id, client_id, local_date, received_at, recorded_at, score, context, note)
SELECT p.id, %(client_id)s, (%(recorded_at)s AT TIME ZONE p.timezone)::date, %(received_at)s, %(recorded_at)s,
       %(score)s, %(context)s, ''
FROM patients_patient p
WHERE p.user_id = %(user_id)s
ON CONFLICT (patient_id, client_id) DO NOTHING
RETURNING id
"""

NEWEST = """
SELECT l.id, l.client_id, l.local_date, l.received_at, l.recorded_at, l.score, l.context, l.note
FROM rehab_painlog l JOIN patients_patient p ON p.id = l.patient_id
WHERE p.user_id = %(user_id)s
ORDER BY l.recorded_at DESC, l.id DESC
LIMIT %(limit)s
"""
FIELDS = ("id", "client_id", "local_date", "received_at", "recorded_at", "score", "context", "note")


def pain_logs(request: HttpRequest) -> JsonResponse:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        claims = jwt.decode(token, SIGNING_KEY, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError:
        claims = {}
    if scheme != "Bearer" or claims.get("token_type") != "access":
        return JsonResponse({"error": "not_authenticated"}, status=401)
    user_id = int(claims["user_id"])
    if request.method == "GET":
        return _newest(user_id, int(request.GET.get("limit", "20")))
    if request.method == "POST":
        return _store(user_id, json.loads(request.body))
    return JsonResponse({"error": "method_not_allowed"}, status=405)


def _store(user_id: int, body: dict) -> JsonResponse:
    values = {
        "user_id": user_id,
        "client_id": uuid.UUID(body["client_id"]),
        "recorded_at": datetime.fromisoformat(body["recorded_at"]),
        "received_at": datetime.now(UTC),
        "score": int(body["score"]),
        "context": body.get("context", "rest"),
    }
    with connection.cursor() as cursor:
        cursor.execute(INSERT, values)
        row = cursor.fetchone()
    # No row: the client_id was stored before (or the user has no patient; the ceiling does not ask which).
    return JsonResponse({"id": row[0]}, status=201) if row else JsonResponse({"id": None}, status=200)


def _newest(user_id: int, limit: int) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(NEWEST, {"user_id": user_id, "limit": limit})
        rows = cursor.fetchall()
    results = [dict(zip(FIELDS, row, strict=True)) for row in rows]
    return JsonResponse({"results": results})  # Django's encoder: instants, dates and UUIDs as the API writes them


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bench/pain-logs/", pain_logs),
    path("health/", health),
]

database = environ.Env.db_url_config(os.environ["DATABASE_URL"])
database["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ["DJANGO_SECRET_KEY"],
    ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    ROOT_URLCONF=__name__,
    DATABASES={"default": database},
    USE_TZ=True,
    TIME_ZONE="UTC",
)
application = get_wsgi_application()
