"""Dashboard: GET /api/v1/patients/ for a physio whose clinic has 200 patients with 90 days of logs each.

Latency through gunicorn (one sequential client, so it is latency and not
queueing) for page sizes 10, 50 and 200, and SQL statements per request
counted in-process on the same code path. The baseline, measured in the same
run, is GET /api/v1/me/ for the same physio: the same authentication and
middleware with almost no work.

    .venv/bin/python bench/dashboard.py [--requests 40] [--patients 200] [--days 90] [--other-clinics 4]

Target: the same number of queries whatever the page size.
"""

import argparse
import dataclasses
import http.client
import time
from datetime import timedelta

from _common import PORT, QueryCounter, data_reset, django_setup, header, percentile, server_start, vacuum_analyze
from _common import verdict as met

PAGE_SIZES = (10, 50, 200)


def setup(patients: int, days: int, other_clinics: int) -> str:
    """The physio's clinic and a few others, each patient `days` into a protocol with its logs; returns a token."""
    from rest_framework_simplejwt.tokens import AccessToken

    from config import clock
    from rehab.devtools.simulation import bulk
    from rehab.devtools.simulation.engine import HISTORY_KINDS
    from rehab.devtools.simulation.trajectory import cohort_plan, entries_for_day
    from rehab.rules.services.review_sweep import milestones_judge_due

    data_reset()
    from protocols.selectors import protocol_versions_latest

    versions = protocol_versions_latest()
    care_of = {code: pv.protocol.care for code, pv in versions.items()}
    clinics = bulk.clinics_create(1 + other_clinics, prefix="Dashboard")
    physios = bulk.staff_create(clinics, per_clinic=1, prefix="dash-physio")
    profiles = cohort_plan(patients=patients * len(clinics), days=days, seed=42, care_of=care_of)
    now = clock.now()
    rows, starts = [], []
    for p in profiles:
        c = p.index % len(clinics)
        rows.append(bulk.PatientRow(clinics[c], physios[c], f"Patient {p.index:05d}", p.timezone, p.condition))
        starts.append(clock.local_today(p.timezone) - timedelta(days=days))
    created = bulk.patients_create(rows)
    # Enrolled on their start dates, so their reviews were pending and the sweep below judges them.
    triples = list(zip(created, profiles, starts, strict=True))
    items = [(patient, versions[p.protocol_code], start) for patient, p, start in triples]
    bulk.enrollments_create(items, as_of=now - timedelta(days=days + 1))
    history = []
    for patient, p, start in triples:
        p = dataclasses.replace(p, silent_from_day=None if p.silent_from_day is None else p.silent_from_day + 40)
        definition = versions[p.protocol_code].definition
        for day in range(days + 1):
            history.extend(
                (patient, e.kind, e.data)
                for e in entries_for_day(p, definition, start, day)
                if e.kind in HISTORY_KINDS and e.at <= now
            )
    stored = bulk.logs_copy(history)
    vacuum_analyze()
    judged = milestones_judge_due(now=now)  # real referral and engagement alerts for open_alerts
    vacuum_analyze()
    judged = {str(k): v for k, v in judged.items()}
    print(f"{len(created)} patients in {len(clinics)} clinics, {stored} log rows, reviews judged {judged}", flush=True)
    return str(AccessToken.for_user(physios[0]))


def queries_per_request(token: str, path: str) -> tuple[int, int]:
    """(SQL statements, rows in the answer) for one request, in-process."""
    import json

    from django.db import connection
    from django.test import Client

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    body = json.loads(response.content)
    return counter.count, len(body.get("results", [body]))


def latencies(token: str, path: str, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    out = []
    for i in range(n + 3):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        if i >= 3:  # the first few warm the worker
            out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page size (default 40)")
    parser.add_argument("--patients", type=int, default=200, help="patients per clinic (default 200)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--other-clinics", type=int, default=4, help="clinics whose data the query must skip")
    args = parser.parse_args()

    django_setup()
    header("dashboard")
    t0 = time.monotonic()
    token = setup(args.patients, args.days, args.other_clinics)
    print(f"set-up {time.monotonic() - t0:.0f} s", flush=True)
    server = server_start(2)
    try:
        base_path = "/api/v1/me/"
        base_q, _ = queries_per_request(token, base_path)
        base = latencies(token, base_path, args.requests)
        print(
            f"  baseline GET /api/v1/me/          p50 {percentile(base, 50):6.1f} ms  "
            f"p95 {percentile(base, 95):6.1f} ms  queries {base_q}",
            flush=True,
        )
        counts = {}
        for size in PAGE_SIZES:
            path = f"/api/v1/patients/?limit={size}"
            q, rows = queries_per_request(token, path)
            counts[size] = q
            lat = latencies(token, path, args.requests)
            p95 = percentile(lat, 95)
            print(
                f"  GET /api/v1/patients/?limit={size:<4d} p50 {percentile(lat, 50):6.1f} ms  p95 {p95:6.1f} ms  "
                f"queries {q:3d}  rows {rows:3d}  p95/baseline {p95 / percentile(base, 95):5.1f}x  "
                f"per row {p95 / max(rows, 1):.2f} ms",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=15)
    constant = len(set(counts.values())) == 1
    print(f"queries per request by page size {counts}  (target: constant: {met(constant)})")


if __name__ == "__main__":
    main()
