"""Log ingestion and the phone's newest-entries read, through gunicorn, beside the bare stack's ceiling.

Three requests, each measured from outside by the same load generator:

- post: POST /api/v1/me/pain-logs/, a new entry (a fresh client_id each time);
- get:  GET /api/v1/me/pain-logs/?limit=20, the newest page with its count;
- sync: POST /api/v1/me/sync/, a week of a patient's entries (21 pain, 14 exercise: 35 items), as items/s.

The ceiling of post and get is a bare WSGI application outside the project
(bench/ceiling_app.py: Django with no installed apps and no middleware, the
JWT checked with PyJWT, ONE statement per request), served by its own gunicorn
with the same workers on the port after BENCH_PORT. The project runs under
production settings on BENCH_PORT, with its rate limits on (set above this
load) and its token-version check. The two alternate round by round within
one run, so the ratio holds on a busy machine.

    .venv/bin/python bench/ingest.py [--history 0,300,1000] [--requests post,get,sync]
        [--seconds 10] [--rounds 2] [--connections 8] [--wrk-threads 2] [--workers 2] [--patients 60]

`--history N` stores N pain entries per patient in the pain rules' window
(spread over the last 16 days, every context) before measuring; a list sweeps
them, each on a fresh database. Requests rotate over the patients' tokens.
Entries stored by a measured run are deleted after it (and the table vacuumed),
so every run sees the history it names. Load: wrk if installed (apt-get install
wrk), else a Python client (threads with keep-alive connections), which takes
CPU from the server on a small machine. Before the load, each request is made
in-process, one at a time, printing SQL statements, round trips to PostgreSQL
(libpq's trace: one ReadyForQuery per round trip, so BEGIN, COMMIT and
health-check pings count) and milliseconds per request. After each load run,
the CPU each party spent per request (the web workers, PostgreSQL, Redis and
the load generator, from /proc) says where the machine's time went.
Targets: post and get >= 0.6 of the ceiling; with 1,000 entries of history
within 10% of the empty table's; sync >= 5,000 items/s.
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import (
    PORT,
    ROOT,
    CpuPerRequest,
    QueryCounter,
    bench_env,
    data_reset,
    django_setup,
    header,
    median,
    percentile,
    server_start,
    verdict,
)

API = {"post": "/api/v1/me/pain-logs/", "get": "/api/v1/me/pain-logs/?limit=20", "sync": "/api/v1/me/sync/"}
CEILING = {"post": "/bench/pain-logs/", "get": "/bench/pain-logs/?limit=20"}
CEILING_PORT = PORT + 1
RATIO_TARGET = 0.60
FLAT_TARGET = 0.10  # at most this much slower with the largest history than with none
SYNC_TARGET = 5000  # items/s
SYNC_PAIN, SYNC_EXERCISE = 21, 14
HISTORY_DAYS = 16  # the pain rules' reach: two morning weeks and the date margin
CONTEXTS = ("rest", "activity", "morning", "after_exercise", "night")
# Rate limits on, well above this load (60 sign-ins at a few thousand requests a minute each).
SERVER_ENV = {"THROTTLE_USER": "1000000/min", "THROTTLE_SYNC": "1000000/min"}

WRK_SCRIPT = """
local tokens = {%(tokens)s}
local method = "%(method)s"
local kind = "%(kind)s"
local pain_at = {%(pain_at)s}
local exercise_at = {%(exercise_at)s}
local exercise = "%(exercise)s"
local run = %(run)d
local counter = 0
local threads = {}
statuses = {}

-- Runs in the main Lua state; `tid` becomes a global of each thread's own state.
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local function cid(item)
  return string.format("%%08x-%%04x-4%%03x-8000-%%012x", run, tid, item, counter)
end

local function body()
  if kind == "post" then
    return '{"client_id":"' .. cid(0) .. '","recorded_at":"' .. pain_at[1] .. '","score":3,"context":"rest"}'
  end
  if kind == "sync" then
    local pain, done = {}, {}
    for i, at in ipairs(pain_at) do
      pain[i] = '{"client_id":"' .. cid(i) .. '","recorded_at":"' .. at .. '","score":3,"context":"rest"}'
    end
    for i, at in ipairs(exercise_at) do
      done[i] = '{"client_id":"' .. cid(100 + i) .. '","performed_at":"' .. at .. '","exercise":"' .. exercise ..
        '","sets":3,"reps":15,"completed":true}'
    end
    return '{"pain_logs":[' .. table.concat(pain, ",") .. '],"exercise_logs":[' .. table.concat(done, ",") .. ']}'
  end
  return nil
end

request = function()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  local headers = {["Authorization"] = "Bearer " .. token}
  local b = body()
  if b then headers["Content-Type"] = "application/json" end
  return wrk.format(method, nil, headers, b)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      if code >= 300 then bad = bad + n end
    end
  end
  io.write(string.format("JSON {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p95\\": %%f, " ..
    "\\"p99\\": %%f, \\"non2xx\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, bad, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout))
end
"""


class Bodies:
    """What each request sends, the same for wrk, the Python client and the in-process calls."""

    def __init__(self, exercise: str):
        now = datetime.now(UTC)
        self.exercise = exercise
        self.post_at = (now - timedelta(minutes=1)).isoformat()
        # A week back from an hour ago: three pain entries and two exercise sessions a day.
        self.pain_at = [(now - timedelta(hours=1 + 8 * i)).isoformat() for i in range(SYNC_PAIN)]
        self.exercise_at = [(now - timedelta(hours=3 + 12 * i)).isoformat() for i in range(SYNC_EXERCISE)]

    def of(self, kind: str, stamp: str) -> str | None:
        def cid(item: int) -> str:
            return f"{stamp[:8]}-{stamp[8:12]}-4{item:03x}-8000-{stamp[12:24]}"

        if kind == "post":
            return json.dumps({"client_id": cid(0), "recorded_at": self.post_at, "score": 3, "context": "rest"})
        if kind == "sync":
            pain = [
                {"client_id": cid(i), "recorded_at": at, "score": 3, "context": "rest"}
                for i, at in enumerate(self.pain_at, 1)
            ]
            done = [
                {"client_id": cid(100 + i), "performed_at": at, "exercise": self.exercise, "sets": 3, "reps": 15,
                 "completed": True}
                for i, at in enumerate(self.exercise_at, 1)
            ]  # fmt: skip
            return json.dumps({"pain_logs": pain, "exercise_logs": done})
        return None


def setup_patients(count: int, history: int) -> tuple[list[str], Bodies]:
    """`count` enrolled patients with app sign-ins and `history` pain entries each; an access token for each."""
    from django.db import connection
    from rest_framework_simplejwt.tokens import AccessToken

    from patients.models import Patient, User
    from protocols.selectors import protocol_versions_latest
    from rehab.devtools.simulation import bulk
    from rehab.devtools.simulation.copy import copy_instances

    data_reset()
    version = protocol_versions_latest()["conservative-calcific-iat"]
    [clinic] = bulk.clinics_create(1, prefix="Ingest")
    [physio] = bulk.staff_create([clinic], per_clinic=1, prefix="ingest-physio")
    users = [
        User(username=f"ingest-patient-{i}", role=User.Role.PATIENT, clinic=clinic, date_joined=datetime.now(UTC))
        for i in range(count)
    ]
    copy_instances(users)
    patients = bulk.patients_create(
        [
            bulk.PatientRow(clinic, physio, f"Ingest {i}", "Europe/London", "calcific_insertional_tendinopathy")
            for i in range(count)
        ]
    )
    for patient, user in zip(patients, users, strict=True):
        patient.user = user
    Patient.objects.bulk_update(patients, ["user"])
    start = (datetime.now(UTC) - timedelta(days=20)).date()
    bulk.enrollments_create((p, version, start) for p in patients)
    if history:
        history_store(history)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return [str(AccessToken.for_user(u)) for u in users], Bodies(version.definition.exercises[0].code)


def history_store(per_patient: int) -> None:
    """`per_patient` pain entries for every patient, evenly over the rules' window, scores 2-4, every context."""
    from django.db import connection

    sql = """
    INSERT INTO rehab_painlog (patient_id, client_id, local_date, received_at, recorded_at, score, context, note)
    SELECT p.id, gen_random_uuid(), (t.at AT TIME ZONE p.timezone)::date, t.at, t.at, 2 + (i %% 3),
           (%(contexts)s::text[])[1 + i %% 5], ''
    FROM patients_patient p
    CROSS JOIN generate_series(1, %(n)s) AS i
    CROSS JOIN LATERAL (SELECT %(now)s::timestamptz - i * (%(span)s::interval / (%(n)s + 1)) AS at) AS t
    """
    params = {
        "contexts": list(CONTEXTS),
        "n": per_patient,
        "now": datetime.now(UTC) - timedelta(minutes=5),
        "span": timedelta(days=HISTORY_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def stored_since_delete(mark: datetime) -> int:
    """Delete what the measured runs stored (the history stays as set up); returns the pain rows deleted."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM rehab_painlog WHERE received_at >= %s", [mark])
        deleted = cursor.rowcount
        cursor.execute("DELETE FROM rehab_exerciselog WHERE received_at >= %s", [mark])
        cursor.execute("VACUUM ANALYZE rehab_painlog, rehab_exerciselog")
        # The dirty pages written now, not by the checkpointer in the middle of the next run (whose CPU
        # the figures count as PostgreSQL's): each run starts from the same clean state.
        cursor.execute("CHECKPOINT")
    return deleted


def load_wrk(port: int, path: str, kind: str, tokens: list[str], bodies: Bodies, args, run: int) -> dict:
    def quoted(values: list[str]) -> str:
        return ",".join(f'"{v}"' for v in values)

    script = WRK_SCRIPT % {
        "tokens": quoted(tokens),
        "method": "GET" if kind == "get" else "POST",
        "kind": kind,
        "pain_at": quoted([bodies.post_at] if kind == "post" else bodies.pain_at),
        "exercise_at": quoted(bodies.exercise_at),
        "exercise": bodies.exercise,
        "run": run,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.seconds}s", "-s", f.name,
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    Path(f.name).unlink()
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    result = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def load_python(port: int, path: str, kind: str, tokens: list[str], bodies: Bodies, args, run: int) -> dict:
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds
    method = "GET" if kind == "get" else "POST"

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, i = [], 0
        while time.monotonic() < stop_at:
            i += 1
            body = bodies.of(kind, f"{run:08x}{n:04x}{i:012x}")
            headers = {"Authorization": f"Bearer {tokens[(n + i) % len(tokens)]}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 300
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            mine.append((time.perf_counter() - t0) * 1000)
            if not ok:
                with lock:
                    bad[0] += 1
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(args.connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - began
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "non2xx": bad[0],
        "errors": 0,
    }


def in_process(paths: dict[str, str], tokens: list[str], bodies: Bodies, requests: int) -> dict[str, dict]:
    """Per request kind: SQL statements, round trips and milliseconds, one request at a time (Django's client)."""
    from django.db import close_old_connections, connection
    from django.test import Client

    client = Client()
    figures = {}
    for kind, path in paths.items():
        counter = 0

        def call(i: int, kind=kind, path=path) -> None:
            nonlocal counter
            counter += 1
            body = bodies.of(kind, f"ffff{os.getpid():04x}{counter:016x}")
            auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[i % len(tokens)]}"}
            # What Django's WSGI handler does at each request (its test client does not): the connection's
            # age and health check, so a CONN_HEALTH_CHECKS ping is counted as under gunicorn.
            close_old_connections()
            if body is None:
                answer = client.get(path, **auth)
            else:
                answer = client.post(path, body, content_type="application/json", **auth)
            assert answer.status_code in (200, 201), answer.content

        for i in range(len(tokens)):  # warm: every patient's enrolments cached, as under the load's rounds
            call(i)
        statements, times = QueryCounter(), []
        with connection.execute_wrapper(statements), _round_trips() as trips:
            for i in range(requests):
                t0 = time.perf_counter()
                call(i)
                times.append((time.perf_counter() - t0) * 1000)
        figures[kind] = {"statements": statements.count / requests, "trips": trips() / requests, "ms": median(times)}
    return figures


class _round_trips:
    """Counts PostgreSQL round trips with libpq's trace: the server ends every exchange with ReadyForQuery."""

    def __enter__(self) -> Callable[[], int]:
        from django.db import connection
        from psycopg import pq

        connection.ensure_connection()
        self.pgconn = connection.connection.pgconn
        self.file = tempfile.TemporaryFile("w+")
        self.pgconn.trace(self.file.fileno())
        self.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        return self.count

    def count(self) -> int:
        self.file.seek(0)
        return sum(1 for line in self.file if "\tReadyForQuery\t" in line)

    def __exit__(self, *exc) -> None:
        self.pgconn.untrace()


def in_process_ceiling(tokens: list[str], requests: int) -> dict:
    """`in_process` for the ceiling, in a child process: its Django cannot share this one's settings."""
    child = subprocess.run(
        [sys.executable, __file__, "--ceiling-in-process", str(requests)],
        input="\n".join(tokens), cwd=ROOT / "bench", env=bench_env(), capture_output=True, text=True,
    )  # fmt: skip
    if child.returncode:
        sys.exit(child.stderr)
    return json.loads(child.stdout)


def measure(history: int, kinds: list[str], args, load, run: int) -> tuple[dict, int]:
    tokens, bodies = setup_patients(args.patients, history)
    print(f"## history {history} pain entries per patient in the rules' window", flush=True)
    mark = datetime.now(UTC)
    if args.in_process:
        api = in_process({k: API[k] for k in kinds}, tokens, bodies, args.in_process)
        ceiling = in_process_ceiling(tokens, args.in_process) if any(k in CEILING for k in kinds) else {}
        for kind in kinds:
            for name, figures in (("api", api), ("ceiling", ceiling)):
                if kind in figures:
                    r = figures[kind]
                    print(f"  in-process {kind:4s} {name:8s} {r['statements']:.1f} SQL statements  "
                          f"{r['trips']:.1f} round trips  median {r['ms']:.2f} ms per request", flush=True)  # fmt: skip
    stored_since_delete(mark)
    env = {**SERVER_ENV, "DATABASE_CONN_MAX_AGE": "600"}
    servers = [server_start(args.workers, 1, **env)]
    totals: dict[tuple[str, str], list[dict]] = {}
    try:
        bare = {"app": "ceiling_app:application", "where": ROOT / "bench", "port": CEILING_PORT}
        servers.append(server_start(args.workers, 1, **bare, **env))
        targets = [(kind, name, port, path) for kind in kinds for name, port, path in _targets(kind)]
        for kind, _name, port, path in targets:  # warm-up: connections, caches
            _short = argparse.Namespace(**{**vars(args), "seconds": 2})
            load(port, path, kind, tokens, bodies, _short, run)
            run += 1
        stored_since_delete(mark)
        for _ in range(args.rounds):
            for kind, name, port, path in targets:
                with CpuPerRequest(servers[0 if name == "api" else 1]) as cpu:
                    r = load(port, path, kind, tokens, bodies, args, run)
                run += 1
                spent = cpu.per_request(r["requests"])
                r["stored"] = stored_since_delete(mark)
                mark = datetime.now(UTC)
                totals.setdefault((kind, name), []).append(r)
                items = f"  {r['rps'] * (SYNC_PAIN + SYNC_EXERCISE):7.0f} items/s" if kind == "sync" else ""
                print(
                    f"  {kind:4s} {name:8s} {r['rps']:8.1f} req/s{items}  p50 {r['p50']:6.1f} ms  "
                    f"p95 {r['p95']:6.1f} ms  non-2xx {r['non2xx']}  pain rows stored {r['stored']}",
                    flush=True,
                )
                if spent:
                    parts = "  ".join(f"{party} {ms:.2f}" for party, ms in spent.items())
                    print(f"  {'':4s} {'':8s} CPU ms per request: {parts}  (all {sum(spent.values()):.2f})", flush=True)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=15)
    summary = {key: sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs) for key, runs in totals.items()}
    return summary, run


def _targets(kind: str) -> list[tuple[str, int, str]]:
    found = [("api", PORT, API[kind])]
    if kind in CEILING:
        found.append(("ceiling", CEILING_PORT, CEILING[kind]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", default="0", help="pain entries per patient in the rules' window; a list sweeps")
    parser.add_argument("--requests", default="post,get,sync", help="which of post, get, sync (default all)")
    parser.add_argument("--seconds", type=int, default=10, help="per measured run (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating API/ceiling rounds (default 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers each side (default 2)")
    parser.add_argument("--patients", type=int, default=60)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--in-process", type=int, default=200, help="requests per kind measured in-process (0: skip)")
    parser.add_argument("--ceiling-in-process", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()

    if args.ceiling_in_process:
        import ceiling_app  # noqa: F401  (configures the ceiling's Django in this process)

        tokens = sys.stdin.read().split()
        print(json.dumps(in_process(CEILING, tokens, Bodies("unused"), args.ceiling_in_process)))
        return
    django_setup(**SERVER_ENV)
    header("ingest")
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = load_wrk if client == "wrk" else load_python
    kinds = [k.strip() for k in args.requests.split(",") if k.strip()]
    histories = [int(h) for h in args.history.split(",")]
    print(
        f"gunicorn -w {args.workers} (sync) each side; {client} client, -t{args.wrk_threads} -c{args.connections}, "
        f"{args.seconds}s x {args.rounds} rounds; {args.patients} patients' tokens rotated",
        flush=True,
    )
    results, run = {}, 1
    for history in histories:
        results[history], run = measure(history, kinds, args, load, run)
    print("# summary (req/s over every round)")
    for history, summary in results.items():
        for kind in kinds:
            api = summary[(kind, "api")]
            if kind == "sync":
                items = api * (SYNC_PAIN + SYNC_EXERCISE)
                print(f"history {history:5d}  sync  api {api:7.1f} req/s = {items:7.0f} items/s  "
                      f"(target >= {SYNC_TARGET}: {verdict(items >= SYNC_TARGET)})")  # fmt: skip
                continue
            ceiling = summary[(kind, "ceiling")]
            ratio = api / ceiling
            print(f"history {history:5d}  {kind:4s}  api {api:7.1f}  ceiling {ceiling:7.1f}  ratio {ratio:.2f}  "
                  f"(target >= {RATIO_TARGET:.2f}: {verdict(ratio >= RATIO_TARGET)})")  # fmt: skip
    if len(histories) > 1:
        first, last = histories[0], histories[-1]
        for kind in kinds:
            # Ratios to the ceiling in the same run, so the machine's load moves both sides alike.
            def ratio(h: int, kind=kind) -> float:
                s = results[h]
                return s[(kind, "api")] / s[(kind, "ceiling")] if kind != "sync" else s[(kind, "api")]

            change = ratio(last) / ratio(first) - 1
            print(f"flat in history {kind:4s}: {last} entries vs {first}: {change:+.1%} "
                  f"(target within {FLAT_TARGET:.0%}: {verdict(change >= -FLAT_TARGET)})")  # fmt: skip


if __name__ == "__main__":
    main()
