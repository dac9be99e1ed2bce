"""The ingestion benchmark's ceiling: the least a pain-log POST can cost on this stack.

A bare Django view with the API's own JWT authentication that inserts one row
into the pain-log table, with no validation, idempotency or safety rules. It
is mounted only when settings.BENCH_ENDPOINTS is true (env BENCH_ENDPOINTS,
default false), never in a normal deployment: it skips every check the real
endpoint makes.
"""

import json
import uuid
from datetime import datetime

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from config import clock
from config.api.authentication import JWTPatientAuthentication
from rehab.models import PainLog


@csrf_exempt
def pain_log_ceiling(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    try:
        auth = JWTPatientAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        auth = None
    if auth is None:
        return JsonResponse({"error": "not_authenticated"}, status=401)
    patient = auth[0].patient  # read with the user, as for the API
    body = json.loads(request.body)
    recorded_at = datetime.fromisoformat(body["recorded_at"])
    log = PainLog.objects.create(
        patient=patient,
        client_id=uuid.UUID(body["client_id"]),
        local_date=clock.local_date_of(recorded_at, patient.timezone),
        received_at=clock.now(),
        recorded_at=recorded_at,
        score=int(body["score"]),
        context=body.get("context", PainLog.Context.REST),
    )
    return JsonResponse({"id": log.pk}, status=201)
