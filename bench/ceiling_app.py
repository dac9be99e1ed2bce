"""The ingestion benchmark's ceiling: the least a pain-entry POST can cost on this stack.

A bare WSGI application outside the project: Django configured here with no
installed apps and no middleware, the same database (DATABASE_URL, persistent
connections as in production), and one view. The view decodes the patient's
JWT with PyJWT (the project's signing key; HS256, simplejwt's default, which
the project keeps) and stores the entry with ONE statement. It skips every
check the API makes (validation, the user's state, idempotency answers, the
safety rules), so it is a yardstick for the API, never a way in: nothing of
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

# The patient is found from the token's user in the INSERT itself, and the entry's local date is worked out
# there in the patient's zone, so the one round trip is the whole request. A repeated client_id stores nothing.
INSERT = """
INSERT INTO rehab_painlog (patient_id, client_id, local_date, received_at, recorded_at, score, context, note)
SELECT p.id, %(client_id)s, (%(recorded_at)s AT TIME ZONE p.timezone)::date, %(received_at)s, %(recorded_at)s,
       %(score)s, %(context)s, ''
FROM patients_patient p
WHERE p.user_id = %(user_id)s
ON CONFLICT (patient_id, client_id) DO NOTHING
RETURNING id
"""


def pain_entry_store(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        claims = jwt.decode(token, SIGNING_KEY, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError:
        claims = {}
    if scheme != "Bearer" or claims.get("token_type") != "access":
        return JsonResponse({"error": "not_authenticated"}, status=401)
    body = json.loads(request.body)
    values = {
        "user_id": int(claims["user_id"]),
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


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bench/pain-log/", pain_entry_store),
    path("health/", health),
]

database = environ.Env.db_url_config(os.environ["DATABASE_URL"])
database["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
database["CONN_HEALTH_CHECKS"] = True
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
