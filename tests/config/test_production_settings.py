"""What signs the tokens when the web server starts: never a key anyone can read in the repository."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_project import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent.parent

SHOW_SETTINGS = (
    "import json; from config import {module}; from django.conf import settings; "
    "print(json.dumps({{'module': settings.SETTINGS_MODULE, 'debug': settings.DEBUG, "
    "'jwt_key': settings.SIMPLE_JWT['SIGNING_KEY']}}))"
)


def start(module: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "JWT_"))}
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS.format(module=module)],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("module", ["wsgi", "asgi"])
def test_a_server_started_without_a_settings_module_refuses_to_run_without_a_secret(module):
    done = start(module, {})
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr


@pytest.mark.parametrize("module", ["wsgi", "asgi"])
def test_a_server_started_without_a_settings_module_runs_production_settings(module):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = start(module, env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown == {
        "module": "config.settings.production",
        "debug": False,
        "jwt_key": PRODUCTION_ENV["DJANGO_SECRET_KEY"],
    }


def test_production_signs_tokens_with_its_own_jwt_key_when_given():
    jwt_key = "a-separate-jwt-key-9d2f7b1c4e6a8f0d3b5c7e9a1f"
    done = start("wsgi", {**PRODUCTION_ENV, "JWT_SIGNING_KEY": jwt_key})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["jwt_key"] == jwt_key
