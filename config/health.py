"""GET /health/: 200 when the database and the broker answer, 503 naming what does not.

A plain Django view, outside DRF: load balancers and compose healthchecks call
it without a token, and it must not depend on anything it checks.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health: the database does not answer")
        return False


def broker_answers() -> bool:
    # One try with a short timeout: a health check that retries for seconds
    # makes the load balancer's probe time out instead of reading a 503.
    try:
        with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        logger.exception("health: the broker does not answer")
        return False


@never_cache
@require_GET
def health(request):
    checks = {"database": database_answers(), "broker": broker_answers()}
    body = {"status": "ok", "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()}}
    failing = [name for name, ok in checks.items() if not ok]
    if not failing:
        return JsonResponse(body)
    body["status"] = "unavailable"
    body["error"] = {
        "code": "service_unavailable",
        "message": f"Not answering: {', '.join(failing)}.",
        "fields": {name: ["Does not answer."] for name in failing},
    }
    return JsonResponse(body, status=503)
