"""Log ingestion: POST /api/v1/me/pain-logs/ through gunicorn, beside the stack's ceiling.

The ceiling is a bare WSGI application outside the project (bench/ceiling_app.py:
Django with no installed apps and no middleware, one view that checks the
patient's JWT with PyJWT and stores the entry with one INSERT into the same
table). The project runs under production settings on BENCH_PORT, the ceiling
on the port after it; both in gunicorn with the same workers, against the same
PostgreSQL, with the same load generator, alternating, so the ratio holds even
on a busy machine.

    .venv/bin/python bench/ingest.py [--seconds 15] [--rounds 2] [--connections 16] [--workers 4]

Load: wrk if installed (apt-get install wrk), else a Python client (threads
with keep-alive connections), which costs the server some CPU on 2 cores.
Before the load, both endpoints are called in-process, one request at a time
(the ceiling in a process of its own, since it is a Django of its own), to
print the SQL statements and the milliseconds each request costs.
Target: the API's throughput >= 60% of the ceiling's.
"""

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import (
    PORT,
    ROOT,
    QueryCounter,
    bench_env,
    data_reset,
    django_setup,
    header,
    median,
    percentile,
    server_start,
    vacuum_analyze,
    verdict,
)

API_PATH = "/api/v1/me/pain-logs/"
CEILING_PATH = "/bench/pain-log/"
CEILING_PORT = PORT + 1
TARGETS = {"api": (PORT, API_PATH), "ceiling": (CEILING_PORT, CEILING_PATH)}
TARGET = 0.60

WRK_SCRIPT = """
local tokens = {%(tokens)s}
local recorded_at = "%(recorded_at)s"
local run = %(run)d
local counter = 0
local threads = {}
statuses = {}

-- Runs in the main Lua state; `tid` becomes a global of each thread's own state.
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  local cid = string.format("%%08x-%%04x-4000-8000-%%012x", run, tid, counter)
  local body = '{"client_id":"' .. cid .. '","recorded_at":"' .. recorded_at .. '","score":3,"context":"rest"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
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


def setup_patients(count: int) -> list[str]:
    """`count` enrolled patients with app sign-ins; returns an access token for each."""
    from rest_framework_simplejwt.tokens import AccessToken

    from patients.models import User
    from rehab.devtools.simulation import bulk

    data_reset()
    from protocols.selectors import protocol_versions_latest

    versions = protocol_versions_latest()
    [clinic] = bulk.clinics_create(1, prefix="Ingest")
    [physio] = bulk.staff_create([clinic], per_clinic=1, prefix="ingest-physio")
    users = [
        User(username=f"ingest-patient-{i}", role=User.Role.PATIENT, clinic=clinic, date_joined=datetime.now(UTC))
        for i in range(count)
    ]
    from rehab.devtools.simulation.copy import copy_instances

    copy_instances(users)
    patients = bulk.patients_create(
        [
            bulk.PatientRow(clinic, physio, f"Ingest {i}", "Europe/London", "calcific_insertional_tendinopathy")
            for i in range(count)
        ]
    )
    from patients.models import Patient

    for patient, user in zip(patients, users, strict=True):
        patient.user = user
    Patient.objects.bulk_update(patients, ["user"])
    start = (datetime.now(UTC) - timedelta(days=20)).date()
    bulk.enrollments_create((p, versions["conservative-calcific-iat"], start) for p in patients)
    vacuum_analyze()
    return [str(AccessToken.for_user(u)) for u in users]


def load_wrk(port: int, path: str, tokens: list[str], seconds: int, connections: int, run: int) -> dict:
    recorded_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    script = WRK_SCRIPT % {"tokens": ",".join(f'"{t}"' for t in tokens), "recorded_at": recorded_at, "run": run}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "-s", f.name,
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    Path(f.name).unlink()
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    result = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def load_python(port: int, path: str, tokens: list[str], seconds: int, connections: int, run: int) -> dict:
    recorded_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, i = [], 0
        while time.monotonic() < stop_at:
            i += 1
            body = json.dumps(
                {"client_id": str(uuid.uuid4()), "recorded_at": recorded_at, "score": 3, "context": "rest"}
            )
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens[(n + i) % len(tokens)]}"}
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
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
    workers = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
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


def in_process(path: str, tokens: list[str], requests: int) -> dict:
    """SQL statements and milliseconds per request, one request at a time through Django's test client."""
    from django.db import connection
    from django.test import Client

    client = Client()
    recorded_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()

    def post(i: int) -> None:
        body = {"client_id": str(uuid.uuid4()), "recorded_at": recorded_at, "score": 3, "context": "rest"}
        answer = client.post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}"
        )
        assert answer.status_code == 201, answer.content

    for i in range(len(tokens)):  # warm: every patient's enrolments cached, as under the load's rounds
        post(i)
    counter, times = QueryCounter(), []
    with connection.execute_wrapper(counter):
        for i in range(requests):
            t0 = time.perf_counter()
            post(i)
            times.append((time.perf_counter() - t0) * 1000)
    return {"statements": counter.count / requests, "ms": median(times)}


def in_process_ceiling(tokens: list[str], requests: int) -> dict:
    """`in_process` for the ceiling, in a child process: its Django cannot share this one's settings."""
    child = subprocess.run(
        [sys.executable, __file__, "--ceiling-in-process", str(requests)],
        input="\n".join(tokens), cwd=ROOT / "bench", env=bench_env(), capture_output=True, text=True,
    )  # fmt: skip
    if child.returncode:
        sys.exit(child.stderr)
    return json.loads(child.stdout)


def rows_stored() -> int:
    from rehab.logs.models import PainLog

    return PainLog.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15, help="per measured run (default 15)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating API/ceiling rounds (default 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--in-process", type=int, default=200, help="requests per side measured in-process (0: skip)")
    parser.add_argument("--ceiling-in-process", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()

    if args.ceiling_in_process:
        import ceiling_app  # noqa: F401  (configures the ceiling's Django in this process)

        print(json.dumps(in_process(CEILING_PATH, sys.stdin.read().split(), args.ceiling_in_process)))
        return
    django_setup()
    header("ingest")
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = load_wrk if client == "wrk" else load_python
    tokens = setup_patients(args.patients)
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads each for the api and the ceiling; {client} client, "
        f"{args.connections} connections, {args.seconds}s x {args.rounds} rounds; {args.patients} patients",
        flush=True,
    )
    if args.in_process:
        for name, r in (
            ("api", in_process(API_PATH, tokens, args.in_process)),
            ("ceiling", in_process_ceiling(tokens, args.in_process)),
        ):
            print(f"  in-process {name:8s} {r['statements']:.1f} SQL statements  median {r['ms']:.1f} ms per request")
    servers = [server_start(args.workers, args.threads)]
    totals = {"api": [], "ceiling": []}
    try:
        bare = {"app": "ceiling_app:application", "where": ROOT / "bench", "port": CEILING_PORT}
        servers.append(server_start(args.workers, args.threads, **bare))
        run = 1
        for port, path in TARGETS.values():  # warm-up: connections, caches
            load(port, path, tokens, 3, args.connections, run)
            run += 1
        for _ in range(args.rounds):
            for name, (port, path) in TARGETS.items():
                before = rows_stored()
                r = load(port, path, tokens, args.seconds, args.connections, run)
                run += 1
                r["stored"] = rows_stored() - before
                totals[name].append(r)
                print(
                    f"  {name:8s} {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                    f"p99 {r['p99']:6.1f} ms  non-2xx {r['non2xx']}  rows stored {r['stored']}",
                    flush=True,
                )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=15)

    def summary(name: str) -> dict:
        runs = totals[name]
        return {
            "rps": sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs),
            **{q: max(r[q] for r in runs) for q in ("p50", "p95", "p99")},
        }

    api, ceiling = summary("api"), summary("ceiling")
    ratio = api["rps"] / ceiling["rps"]
    for name, r in (("api", api), ("ceiling", ceiling)):
        print(f"{name:8s} {r['rps']:8.1f} req/s  p50 {r['p50']:.1f} ms  p95 {r['p95']:.1f} ms  p99 {r['p99']:.1f} ms")
    print(f"ratio api/ceiling throughput {ratio:.2f}  (target >= {TARGET:.2f}: {verdict(ratio >= TARGET)})")


if __name__ == "__main__":
    main()
