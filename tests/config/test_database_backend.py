"""The PostgreSQL backend pings a persistent connection only after it sat idle (config/db/postgresql/base.py)."""

import pytest
from django.db import connection
from django.db.utils import load_backend

from config.db.postgresql.base import HEALTH_CHECK_IDLE_SECONDS

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def persistent():
    """A connection of its own with production's options: kept between requests, health checks on."""
    backend = load_backend("config.db.postgresql")
    settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}
    wrapper = backend.DatabaseWrapper(settings_dict, alias="persistent")
    yield wrapper
    wrapper.close()


def pings_of(wrapper) -> list[int]:
    pings = []
    usable = wrapper.is_usable
    wrapper.is_usable = lambda: pings.append(1) or usable()
    return pings


def request(wrapper) -> int:
    """What one request does with the connection: Django's check at its start, then a statement."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_used_moments_ago_is_not_pinged(persistent):
    pings = pings_of(persistent)
    first = request(persistent)
    assert request(persistent) == first and request(persistent) == first
    assert pings == []


def test_a_connection_idle_for_a_while_is_pinged_and_replaced_when_the_server_dropped_it(persistent):
    pings = pings_of(persistent)
    first = request(persistent)
    with connection.cursor() as cursor:  # the server drops it while it sits idle
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    persistent._last_used -= HEALTH_CHECK_IDLE_SECONDS + 1
    second = request(persistent)
    assert pings == [1] and second != first


def test_production_settings_use_this_backend_for_postgresql():
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.test_project import PRODUCTION_ENV

    code = (
        "import django; django.setup(); from django.db import connections; "
        "print(type(connections['default']).__module__)"
    )
    root = Path(__file__).resolve().parent.parent.parent
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env = {**clean, **PRODUCTION_ENV}
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "config.db.postgresql.base", out.stderr
