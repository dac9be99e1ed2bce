"""The project as a whole: system checks clean, migrations complete, production settings deployable."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent

# What production requires from the environment, with obviously fake secrets.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "test-deploy-check-7f3c9a1e5b2d8f6a4c0e9b7d5a3f1c8e6b4d2a0f9e7c5b3a",
    "DATABASE_URL": "postgres://rehab:not-a-password@db.internal:5432/rehab",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "DJANGO_ALLOWED_HOSTS": "rehab.example.com",
}


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_system_checks_are_clean():
    out = StringIO()
    call_command("check", fail_level="WARNING", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_deploy_checks_are_clean_under_production_settings_without_reaching_any_service():
    # As in an image build: the hosts in PRODUCTION_ENV do not exist, and building the API schema must not need them.
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    # Silenced: only the four that look for the dashboard's middlewares in MIDDLEWARE (config.browser checks them).
    assert "no issues (4 silenced)" in done.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    done = manage("check", env=env)
    assert done.returncode != 0
    assert missing in done.stderr


def test_production_settings_do_not_install_the_simulator():
    probe = "from django.apps import apps; print(apps.is_installed('rehab.devtools'))"
    done = manage("shell", "--no-imports", "-c", probe, env=PRODUCTION_ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    simulate = manage("simulate_cohort", "--patients", "1", "--days", "1", env=PRODUCTION_ENV)
    assert simulate.returncode != 0
    assert "Unknown command: 'simulate_cohort'" in simulate.stderr


def test_the_image_leaves_the_simulator_and_the_benchmarks_out():
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"rehab/devtools", "bench"} <= ignored
