"""Two servers (two processes, as two hosts would be) answer the same after one of them changed something.

What each process keeps for itself on this path is built from the code and the schema (the user query's
SQL, the serializers) or keyed by a stamp the database renews (the enrolment cache): never a row. So a
change made through one server is what the other answers with at its next request.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from json import dumps, loads

import pytest
from django.conf import settings

from patients.api.serializers import tokens_for
from tests.config.test_schemathesis import _database_url, _die_with_parent, _free_port, _unthrottled
from tests.factories import PhysioFactory
from tests.support.processes import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _serve(tmp_path, name: str):
    port = _free_port()
    env = {
        **os.environ,
        **_unthrottled(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_CONN_MAX_AGE": "60",
    }
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/health/", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answers (503 when something else is down is still an answer)
        except OSError:
            time.sleep(0.2)
    return process, base


@pytest.fixture
def servers(tmp_path):
    started = [_serve(tmp_path, "a"), _serve(tmp_path, "b")]
    yield [base for _, base in started]
    for process, _ in started:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, loads(error.read() or b"{}")


def test_a_change_through_one_server_is_what_the_other_answers_with(servers, patient):
    physio = PhysioFactory(clinic=patient.clinic)  # the servers run on the real clock: tokens made on it
    a, b = servers
    phone, clinic = tokens_for(patient.user)["access"], tokens_for(physio)["access"]
    logs = "/api/v1/me/pain-logs/"
    entry = {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-09T23:30:00Z", "score": 3, "context": "rest"}
    for server in (a, b):
        call("GET", server + logs, phone)  # each worker warms what it keeps (the user query, the serializers)
    status, stored = call("POST", a + logs, phone, entry)
    assert status == 201 and stored["local_date"] == "2026-03-09"  # London
    # The other server sees the entry, and a retry there is a replay of it.
    assert call("GET", b + logs + "?limit=20", phone)[1] == call("GET", a + logs + "?limit=20", phone)[1]
    assert call("POST", b + logs, phone, entry) == (200, stored)
    # The patient moves to Sydney through one server: the other dates the next entry there.
    assert call("PATCH", f"{a}/api/v1/patients/{patient.pk}/", clinic, {"timezone": "Australia/Sydney"})[0] == 200
    later = {**entry, "client_id": str(uuid.uuid4())}
    status, answer = call("POST", b + logs, phone, later)
    assert status == 201 and answer["local_date"] == "2026-03-10"
    # Discharged through one server: the other refuses the patient's token at once.
    assert call("PATCH", f"{b}/api/v1/patients/{patient.pk}/", clinic, {"status": "discharged"})[0] == 200
    assert call("GET", a + logs, phone)[0] == 401
    assert call("GET", b + logs, phone)[0] == 401
