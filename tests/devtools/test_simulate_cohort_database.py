"""The simulator on the embedded SQLite default: a one-line refusal, not a traceback from deep inside COPY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_simulate_cohort_on_the_embedded_sqlite_default_says_in_one_line_that_it_needs_postgresql():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    done = subprocess.run(
        [sys.executable, "manage.py", "simulate_cohort", "--patients", "2", "--days", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "PostgreSQL" in done.stderr
    assert done.stdout == ""
