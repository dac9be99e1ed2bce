"""Real processes for the end-to-end and fault tests: a Celery worker and a private redis-server."""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what}")


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery -A config worker` in its own process group, against the test database."""

    def __init__(self, broker_url: str, log_path: Path, name: str, **env):
        self.log_path, self.name = log_path, name
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "DELIVERY_CLAIM_TIMEOUT_SECONDS": "3",
            **env,
        }
        self.process = None

    def start(self) -> "Worker":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [CELERY, "-A", "config", "worker", "-P", "solo", "-Q", "urgent,default,bulk", "-l", "INFO",
             "-n", f"{self.name}@%h", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        _wait_until(self._ready, 60, f"worker {self.name} to be ready (see {self.log_path})")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"worker exited with {self.process.returncode}: {self.log_path.read_text()[-2000:]}")
        return f"{self.name}@" in (text := self.log_path.read_text()) and " ready." in text.split(f"{self.name}@")[-1]

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no cleanup, no acks."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()


def free_port(candidates=range(6390, 6400)) -> int:
    # Random order: two test runs on one machine should not race for the same port.
    for port in random.sample(list(candidates), len(candidates)):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise OSError("no free port for a private redis-server")


class RedisServer:
    """A redis-server of the test's own, so stopping it leaves the shared one serving everyone else."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        _wait_until(self._answers, 10, f"redis-server on {self.port}")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:  # lost the port to someone else: never talk to their server
            raise RuntimeError(f"redis-server on {self.port} exited with {self.process.returncode}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@contextmanager
def publishing_to(broker_url: str):
    """Point this process's Celery app (the after-commit kick) at another broker for the test."""
    previous = celery_app.conf.broker_url
    _reset_pools(broker_url)
    try:
        yield
    finally:
        _reset_pools(previous)


def _reset_pools(url: str) -> None:
    # Only forget the pools: kombu keeps them per URL and hands them out again.
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
