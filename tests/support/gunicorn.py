"""A real gunicorn serving the test database, for tests that talk to the project over HTTP."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the test process dies (a killed run must not leave it serving)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    """The test database pytest-django created (read after its set-up)."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Gunicorn:
    """`gunicorn config.wsgi` on a free port in its own process group, its output in `log_path`."""

    def __init__(self, log_path: Path, *, settings_module: str, workers: int = 2, threads: int = 4, **env: str):
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.env = {
            # Not the test process's leave to query from Playwright's loop (tests/browser/conftest.py).
            **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str = "/health/") -> "Gunicorn":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--threads", str(self.threads),
             "--worker-class", "gthread", "--graceful-timeout", "5",
             "--logger-class", "config.access_log.GunicornLogger"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            start_new_session=True,  # its own process group: stopping it stops its workers too
        )  # fmt: skip
        log.close()
        self._wait_for(self.url + ready_path)
        return self

    def _wait_for(self, url: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(url, timeout=10).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{url} did not answer within 60 s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 5000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop gunicorn and its workers (before the test database is flushed or dropped)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
