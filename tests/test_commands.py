"""The contract's management commands: protocol_timeline and seed_demo."""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
import yaml
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from protocols.library import definition_files, protocol_library_sync, read_definition

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- protocol_timeline --------------------------------------------------------


def test_protocol_timeline_prints_the_dated_timeline_in_the_contracts_shape():
    result = json.loads(run("protocol_timeline", "post-surgical-calcific-iat", "--start", "2026-03-02", "--json"))
    assert result["protocol"] == "post-surgical-calcific-iat"
    assert result["version"] == 1
    assert result["start"] == "2026-03-02"
    assert [(p["code"], p["start"], p["end"]) for p in result["phases"]] == [
        ("immobilisation", "2026-03-02", "2026-03-08"),
        ("boot-heel-lift", "2026-03-09", "2026-04-19"),
        ("heel-lift-weaning", "2026-04-20", "2026-05-03"),
        ("elastic-wedge", "2026-05-04", None),
    ]
    assert all(set(p) >= {"code", "name", "start", "end"} for p in result["phases"])
    assert result["milestones"][0] == {
        "code": "end-immobilisation",
        "name": "End of immobilisation",
        "window_start": "2026-03-09",
        "window_end": "2026-03-09",
    }
    assert [m["code"] for m in result["milestones"]] == [
        "end-immobilisation",
        "boot-removal",
        "elastic-wedge",
        "post-boot-baseline",
        "review-12-weeks",
    ]


def test_protocol_timeline_on_a_date_prints_that_days_plan():
    plan = json.loads(
        run("protocol_timeline", "post-surgical-calcific-iat", "--start", "2026-03-02", "--on", "2026-04-25", "--json")
    )
    assert plan["date"] == "2026-04-25"
    assert plan["day"] == 54
    assert plan["phase"]["code"] == "heel-lift-weaning"
    assert plan["heel_lift_cm"] == 3.0
    assert plan["boot"] is True
    assert plan["next_milestone"]["code"] == "boot-removal"


def test_protocol_timeline_reads_the_latest_published_version(tmp_path):
    path = next(p for p in definition_files() if p.name.startswith("conservative-calcific-iat"))
    data = read_definition(path)
    data["version"] = 2
    data["milestones"][1]["window"] = [35, 49]
    new_file = tmp_path / "v2.yaml"
    new_file.write_text(yaml.safe_dump(data))
    protocol_library_sync(paths=[new_file])
    result = json.loads(run("protocol_timeline", "conservative-calcific-iat", "--start", "2026-01-01", "--json"))
    assert result["version"] == 2
    assert result["milestones"][1]["window_start"] == "2026-02-05"


def test_protocol_timeline_without_json_prints_a_readable_summary():
    text = run("protocol_timeline", "conservative-achilles-ho", "--start", "2026-01-01")
    assert "conservative-achilles-ho v1 from 2026-01-01" in text
    assert "milestone review-6-8-weeks: 2026-02-12 to 2026-02-26" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-protocol", "--start", "2026-01-01"], "Unknown protocol 'no-such-protocol'"),
        (["conservative-calcific-iat", "--start", "2026-02-30"], "--start must be a date as YYYY-MM-DD"),
        (["conservative-calcific-iat", "--start", "yesterday"], "--start must be a date as YYYY-MM-DD"),
        (["conservative-calcific-iat", "--start", "2026-01-01", "--on", "01/02/2026"], "--on must be a date"),
        (["conservative-calcific-iat", "--start", "2026-01-10", "--on", "2026-01-09"], "is before --start"),
    ],
)
def test_protocol_timeline_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("protocol_timeline", *args, "--json", stdout=StringIO())


def manage(*args) -> subprocess.CompletedProcess:
    """manage.py in a child process, against this test run's database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-protocol", "--start", "2026-01-01"],
        ["conservative-calcific-iat", "--start", "2026-13-01"],
        ["conservative-calcific-iat", "--start", "2026-01-10", "--on", "2026-01-09"],
    ],
)
def test_protocol_timeline_bad_input_exits_non_zero_with_one_line_and_no_traceback(args):
    done = manage("protocol_timeline", *args, "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("CommandError: ")
    assert "Traceback" not in done.stderr


def test_protocol_timeline_good_input_exits_zero_with_json_on_stdout():
    done = manage("protocol_timeline", "conservative-achilles-ho", "--start", "2026-01-01", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["protocol"] == "conservative-achilles-ho"


# --- seed_demo -----------------------------------------------------------------

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
SEEDED_MODELS = [
    ("patients", "Clinic"),
    ("patients", "User"),
    ("patients", "Patient"),
    ("care", "Enrollment"),
    ("care", "Milestone"),
    ("logs", "PainLog"),
    ("logs", "ExerciseLog"),
    ("logs", "VisaAResponse"),
    ("logs", "SymptomReport"),
    ("logs", "MedicationLog"),
    ("care", "ClinicalEvent"),
]


def snapshot() -> dict[str, list]:
    return {name: list(apps.get_model(app, name).objects.order_by("pk").values()) for app, name in SEEDED_MODELS}


def test_seed_demo_twice_changes_nothing_and_duplicates_nothing():
    with time_machine.travel(NOW, tick=False):
        first = run("seed_demo", "--password", "demo-password-1")
        before = snapshot()
        second = run("seed_demo", "--password", "demo-password-1")
        after = snapshot()
    assert "Demo data ready (2 clinics, 8 users, 5 patients, 5 enrollments" in first
    assert "Demo data ready (nothing new)." in second
    assert before == after
    assert all(before[name] for name in ("PainLog", "ExerciseLog", "VisaAResponse", "ClinicalEvent"))


def test_seed_demo_a_day_later_adds_only_the_new_days_logs():
    with time_machine.travel(NOW, tick=False):
        run("seed_demo", "--password", "demo-password-1")
        before = snapshot()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        run("seed_demo", "--password", "demo-password-1")
        after = snapshot()
    for name in ("Clinic", "User", "Patient", "Enrollment", "Milestone", "ClinicalEvent"):
        assert len(after[name]) == len(before[name]), name
    days_before = {(row["patient_id"], row["local_date"]) for row in before["PainLog"]}
    days_after = {(row["patient_id"], row["local_date"]) for row in after["PainLog"]}
    added = days_after - days_before
    assert len(added) == 5  # yesterday of each patient, in the patient's own zone
    assert len({patient for patient, _ in added}) == 5
    assert {row["client_id"] for row in before["PainLog"]} <= {row["client_id"] for row in after["PainLog"]}


def test_seed_demo_prints_every_demo_login():
    with time_machine.travel(NOW, tick=False):
        out = run("seed_demo", "--password", "demo-password-1")
    for username in ["demo-admin", "demo-physio", "other-physio", *(f"demo-patient-{n}" for n in range(1, 6))]:
        assert username in out
    assert "demo-password-1" in out


def test_seed_demo_needs_a_password():
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())


def test_seed_demo_counts_each_patients_days_from_their_own_today():
    with time_machine.travel(NOW, tick=False):
        run("seed_demo", "--password", "demo-password-1")
    starts = dict(apps.get_model("care", "Enrollment").objects.values_list("patient__user__username", "start_date"))
    assert starts["demo-patient-1"] == date(2026, 6, 15) - timedelta(days=45)
    assert starts["demo-patient-2"] == date(2026, 6, 15) - timedelta(days=58)  # 20:00 in Sydney, same date
