"""The embedded default (SQLite, no Redis) must serve what a newcomer opens first.

The rest of the suite runs on PostgreSQL; this runs the demo and the main
reads on a throwaway SQLite database in a subprocess, so SQL that only
PostgreSQL speaks is caught here rather than by the first person to try it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("seed_demo", password="demo-password-1", verbosity=0)
client = Client(HTTP_HOST="127.0.0.1")
def token(username):
    answer = client.post("/api/v1/auth/token/", {"username": username, "password": "demo-password-1"},
                         content_type="application/json")
    return {"HTTP_AUTHORIZATION": "Bearer " + answer.json()["access"]}
physio, patient = token("demo-physio"), token("demo-patient-3")
# A patient who has logged pain only: the dashboard's last log is the latest of every kind, most of them none.
import uuid
from datetime import UTC, datetime, timedelta
from config import clock
from patients.models import User
from protocols.selectors import protocol_version_latest
from rehab.care.services.patients import patient_create
from rehab.logs.models import PainLog
demo_physio = User.objects.get(username="demo-physio")
only_pain, _ = patient_create(
    clinic=demo_physio.clinic, by=demo_physio, display_name="Only Pain", timezone="Europe/London", side="left",
    condition="calcific_insertional_tendinopathy", start_date=clock.local_today("Europe/London"),
    protocol_version=protocol_version_latest("conservative-calcific-iat"),
)
now = datetime.now(UTC)
PainLog.objects.create(patient=only_pain, client_id=uuid.uuid4(), local_date=clock.local_today("Europe/London"),
                       received_at=now, recorded_at=now, score=3)
rows = client.get("/api/v1/patients/", **physio).json()["results"]
last_log_at = {row["display_name"]: row["last_log_at"] for row in rows}
paths = [("/api/v1/patients/" + q, physio) for q in
         ("", "?ordering=-adherence_7d", "?ordering=pain_7d_mean", "?ordering=-day", "?ordering=-last_log_at",
          "?phase=boot-heel-lift")]
paths += [("/api/v1/alerts/", physio), ("/api/v1/me/plan/", patient), ("/api/v1/me/pain-logs/", patient)]
# The phone's catch-up read: its compiled statement holds an instant, which SQLite keeps as text.
from urllib.parse import quote
week_ago = quote((datetime.now(UTC) - timedelta(days=7)).isoformat())
paths += [(f"/api/v1/me/pain-logs/?since={week_ago}", patient)]
statuses = {path: client.get(path, **auth).status_code for path, auth in paths}
# A pain entry far above the demo patient's week: the pain rules read recent entries with plain SQL.
from rehab.alerts.models import Alert
entry = {"client_id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat(), "score": 10}
posted = client.post("/api/v1/me/pain-logs/", entry, content_type="application/json", **patient)
statuses["POST pain"] = posted.status_code
spike = Alert.objects.filter(code="pain_spike", patient__user__username="demo-patient-3").first()
# Every periodic job, four weeks on (reviews due, patients silent): their writes must not be PostgreSQL-only.
import io
out = io.StringIO()
call_command("run_periodic", now=(datetime.now(UTC) + timedelta(days=28)).isoformat(), stdout=out)
jobs = json.loads(out.getvalue())
print(json.dumps({"statuses": statuses, "spike_entries": spike and spike.evidence["entries_7d"], "jobs": jobs,
                  "last_log_at": last_log_at}))
"""


@pytest.mark.slow
def test_the_demo_and_dashboard_work_on_the_embedded_sqlite_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = found["statuses"]
    assert statuses.pop("POST pain") == 201
    assert statuses and set(statuses.values()) == {200}, statuses
    assert found["spike_entries"] > 0  # judged against the week the demo logged
    last_log_at = found["last_log_at"]
    assert last_log_at["Only Pain"] is not None  # SQLite's MAX(a, b) is null when any is; GREATEST skips nulls
    assert len(last_log_at) == 6 and all(last_log_at.values()), last_log_at  # every demo patient has logged
    jobs = found["jobs"]
    assert jobs["plan_reminders"]["new"] > 0
    assert sum(v for k, v in jobs["judge_due_milestones"].items() if k != "failed") > 0
    assert jobs["judge_due_milestones"]["failed"] == 0
    assert jobs["raise_engagement_alerts"]["no_recent_logs"] > 0
