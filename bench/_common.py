"""What every bench script shares: a Django set-up on a bench database, a reset, and how figures print.

The scripts run with production settings (DEBUG off, persistent connections)
against a database whose name must contain "bench": each run empties it
first. Override with BENCH_DATABASE_URL and BENCH_REDIS_URL.
"""

import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehab_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
PORT = int(os.environ.get("BENCH_PORT", "8150"))

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-0123456789abcdef",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "PUSH_BACKEND": "memory",
    "JWT_ACCESS_MINUTES": "240",
    "LOG_LEVEL": "WARNING",
}


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of a bench process (this one, or a server it starts)."""
    return {**os.environ, **BENCH_ENV, **extra}


def django_setup(**extra_env: str) -> None:
    """Point Django at the bench database (created if missing), migrate it, and set Django up."""
    name = urlparse(DATABASE_URL).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to run: the bench empties its database, and {name!r} is not named *bench*")
    os.environ.update(bench_env(**extra_env))
    _database_ensure(name)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _database_ensure(name: str) -> None:
    import psycopg

    admin = urlparse(DATABASE_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def data_reset() -> None:
    """Empty every table of the product's data (protocol definitions stay)."""
    from django.apps import apps
    from django.db import connection

    product = [c for c in apps.get_app_configs() if c.name == "patients" or c.name.startswith("rehab.")]
    models = [m for c in [*product, apps.get_app_config("axes")] for m in c.get_models(include_auto_created=True)]
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def vacuum_analyze() -> None:
    """Fresh statistics after a bulk load, as autovacuum would give a real database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def server_start(
    workers: int, threads: int = 1, *, app: str = "config.wsgi", where: Path = ROOT, port: int = PORT, **extra_env: str
) -> subprocess.Popen:
    """gunicorn serving `app` (importable from `where`) on 127.0.0.1:`port` with the bench settings.

    Returns once /health/ answers 200.
    """
    cmd = [
        sys.executable, "-m", "gunicorn", app,
        "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync", "--log-level", "warning",
    ]  # fmt: skip
    if where == ROOT:  # the project's logger, as shipped (the bare ceiling app cannot import config)
        cmd += ["--logger-class", "config.access_log.GunicornLogger"]
    proc = subprocess.Popen(cmd, cwd=where, env=bench_env(**extra_env))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /health/ within 30 s")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class QueryCounter:
    """Counts the SQL statements Django sends, cheaply (no debug cursor)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def header(name: str) -> None:
    load = os.getloadavg()
    print(f"# {name}  {time.strftime('%Y-%m-%d %H:%M')}  rev {git_revision()}  cores {os.cpu_count()}  "
          f"load {load[0]:.1f}/{load[1]:.1f}", flush=True)  # fmt: skip


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


class CpuPerRequest:
    """CPU time per request of each party of a load run, from /proc: where a small machine's time goes.

    The web workers are the children of `server` (a gunicorn master); PostgreSQL's and Redis's processes
    are found by name (their persistent connections' backends live through the run); the load generator
    is this process's waited-for children (wrk) or this process (the Python client). Linux only; elsewhere
    it reports nothing.
    """

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, server: subprocess.Popen):
        self.server = server

    def __enter__(self) -> "CpuPerRequest":
        self.before = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        self.after = self._sample()

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request, per party."""
        if not self.before or not self.after or not requests:
            return {}
        return {k: (self.after[k] - self.before.get(k, 0.0)) * 1000 / requests for k in self.after}

    def _sample(self) -> dict[str, float]:
        if not Path("/proc/self/stat").exists():
            return {}
        totals = {"web": 0.0, "postgres": 0.0, "redis": 0.0}
        for comm, ppid, seconds in _processes():
            if ppid == self.server.pid:
                totals["web"] += seconds
            elif comm.startswith("postgres"):
                totals["postgres"] += seconds
            elif comm.startswith("redis-server"):
                totals["redis"] += seconds
        own, children = os.times(), os.times()
        totals["load"] = own.user + own.system + children.children_user + children.children_system
        return totals


def _processes():
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # After the name: state, ppid, ..., utime and stime are the 12th and 13th fields (man 5 proc).
        yield comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / CpuPerRequest.TICK
