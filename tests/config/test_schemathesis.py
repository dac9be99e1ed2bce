"""schemathesis against the running server: every operation and every default check, with each role's token.

A real gunicorn serves the test database (seeded with two clinics, staff, patients, logs and an
alert); schemathesis reads /api/schema/ and fuzzes every operation with a patient's, a physio's and a
clinic admin's token. A 5xx, a response that breaks the schema, a status the schema does not
document, or an operation the run never reached fails the test. The run is bounded
(SCHEMATHESIS_MAX_TIME seconds per token, default 180; SCHEMATHESIS_MAX_EXAMPLES per operation,
default 25; the fuzzing and stateful phases; a fixed seed) so it can sit in the everyday test command.
"""

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings

from config import clock
from patients.api.serializers import tokens_for
from rehab.alerts.services.alerts import alert_raise
from rehab.logs.models import PainLog
from tests.factories import ClinicAdminFactory, PhysioFactory, enrolled_patient

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
# A budget schemathesis always spends (fuzzing repeats until it is over). One pass of the fuzzing and
# stateful phases over every operation took 60-100 s per token here with other runs sharing the cores.
MAX_TIME = os.environ.get("SCHEMATHESIS_MAX_TIME", "180")
# Rate limits far above what one fuzzing worker sends: the run is to fuzz, not to meet 429s.
UNTHROTTLED = "1000000"
SEED = os.environ.get("SCHEMATHESIS_SEED", "20260310")


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the test process dies (a killed run must not leave it serving)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]  # the test database pytest-django created
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server(tmp_path):
    """A real gunicorn on a free port; its log (tracebacks of any 5xx) is shown when the test fails."""
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    env = {
        **os.environ,
        **_unthrottled(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "4", "--graceful-timeout", "5"),
            # The app answers a generated query string of many kilobytes, not gunicorn's 4 KB
            # request-line limit (an HTML 414 the schema cannot document; a proxy has its own).
            *("--limit-request-line", "0"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
        start_new_session=True,  # its own process group: stopping it stops its workers too
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/schema/", process)
        yield {"url": base, "log": tmp_path / "gunicorn.log"}
    finally:
        _stop(process)
        log.close()


def _unthrottled() -> dict[str, str]:
    """Every THROTTLE_* setting, as the server's environment, raised to UNTHROTTLED (a rate keeps its period)."""
    env = {}
    for name in dir(settings):
        value = getattr(settings, name)
        if not name.startswith("THROTTLE_") or isinstance(value, bool):
            continue
        if isinstance(value, int):
            env[name] = UNTHROTTLED
        elif isinstance(value, str) and re.fullmatch(r"[0-9]+/[a-z]+", value):
            env[name] = f"{UNTHROTTLED}/{value.split('/')[1]}"
    return env


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers before the test database is flushed and dropped."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def _wait_for(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within 60 s")


@pytest.fixture
def seeded(clinic, physio):
    """Two clinics with staff and patients, a few logs and an open alert: something to find and refuse."""
    clinic_admin = ClinicAdminFactory(clinic=clinic)
    today = clock.local_today("Europe/London")
    patient = enrolled_patient(start=today - timedelta(days=45), clinic=clinic)
    enrolled_patient("post-surgical-calcific-iat", start=today - timedelta(days=20), clinic=clinic)
    enrolled_patient(start=today - timedelta(days=3), clinic=PhysioFactory().clinic)
    now = clock.now()
    PainLog.objects.create(
        patient=patient, client_id=uuid.uuid4(), local_date=today, received_at=now, recorded_at=now, score=6
    )
    alert_raise(patient=patient, code="exercise_pain_high", reason="Pain 7/10 during exercise.", evidence={})
    return {"patient": patient.user, "physio": physio, "clinic_admin": clinic_admin}


def _schemathesis(base: str, token: str) -> subprocess.CompletedProcess:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    command = [
        binary,
        "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{base}/api/schema/",
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", MAX_EXAMPLES,
        "--max-time", MAX_TIME,
        # The coverage phase sends every boundary case the schema defines, whatever --max-examples says
        # (three to five minutes per token here): inside the time bound it left most operations unfuzzed.
        "--phases", "fuzzing,stateful",
        "--seed", SEED,
        # One worker: concurrent workers race inside CPython 3.11's ast.parse (hypothesis describing its
        # filters) and abort the run with "AST constructor recursion depth mismatch".
        "--workers", "1",
        "--request-timeout", "20",
        "--no-color",
    ]  # fmt: skip
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=int(MAX_TIME) * 5 + 120, preexec_fn=_die_with_parent
    )


@pytest.mark.parametrize("role", ["patient", "physio", "clinic_admin"])
def test_schemathesis_finds_no_server_error_schema_violation_or_undocumented_status(server, seeded, role):
    result = _schemathesis(server["url"], tokens_for(seeded[role])["access"])
    server_log = server["log"].read_text(errors="replace")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:] + server_log[-5000:]
    selected, tested = _operations(result.stdout)
    assert tested == selected > 0, f"SCHEMATHESIS_MAX_TIME left operations untested:\n{result.stdout[-3000:]}"


def _operations(summary: str) -> tuple[int, int]:
    """(operations in the schema, operations the run tested), from schemathesis' summary."""
    selected = re.search(r"Selected: ([0-9]+)/([0-9]+)", summary)
    tested = re.search(r"Tested: ([0-9]+)", summary)
    assert selected and tested, summary[-3000:]
    assert selected[1] == selected[2], "every operation is selected"
    return int(selected[1]), int(tested[1])
