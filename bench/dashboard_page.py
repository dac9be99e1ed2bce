"""The patients page (HTML) against the JSON dashboard endpoint, for the same page of the same physio.

A physio whose clinic has 200 patients with 90 days of logs each (4 other clinics beside it, the
set-up of bench/dashboard.py), signed in to the web with a session and to the API with a token.
One sequential client through gunicorn (production settings, 2 sync workers) asks, in turn, for
the patients page `/` and for GET /api/v1/patients/ with the same page size, so a busy machine
slows both alike; the first few of each warm the workers. SQL statements per request are counted
in-process on the same code paths.

    .venv/bin/python bench/dashboard_page.py [--requests 40] [--page-size 25] [--patients 200] [--days 90]

Target: the page's p95 within 2x the JSON endpoint's.
"""

import argparse
import http.client
import time

from _common import PORT, QueryCounter, django_setup, header, percentile, server_start
from _common import verdict as met
from dashboard import setup as cohort_setup

WARM_UP = 3


def static_collect() -> None:
    """collectstatic, as the image's build runs it: the page links its files through production's manifest."""
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)


def web_session(token: str) -> tuple[object, str]:
    """(the physio, a session cookie for them): signed in as the sign-in page would leave them."""
    from django.conf import settings
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    from patients.models import User

    physio = User.objects.get(pk=AccessToken(token)["user_id"])
    client = Client()
    client.force_login(physio)
    return physio, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def in_process(path: str, headers: dict[str, str]) -> tuple[int, int, int]:
    """(SQL statements, patients listed, bytes of the answer) for one request on the same code path, in this process."""
    import json

    from django.db import connection
    from django.test import Client

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = Client(headers=headers).get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/json"):
        rows = len(json.loads(response.content)["results"])
    else:
        rows = response.content.count(b'data-testid="patient-row"')
    return counter.count, rows, len(response.content)


def rounds(requests: dict[str, tuple[str, dict[str, str]]], n: int) -> dict[str, list[float]]:
    """Milliseconds per request, the kinds asked for in turn on one keep-alive connection each."""
    connections = {name: http.client.HTTPConnection("127.0.0.1", PORT, timeout=30) for name in requests}
    out: dict[str, list[float]] = {name: [] for name in requests}
    for i in range(n + WARM_UP):
        for name, (path, headers) in requests.items():
            conn = connections[name]
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
            if i >= WARM_UP:
                out[name].append(elapsed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40, help="measured requests of each (default 40)")
    parser.add_argument("--page-size", type=int, default=25, help="rows per page, both sides (default 25)")
    parser.add_argument("--patients", type=int, default=200, help="patients per clinic (default 200)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--other-clinics", type=int, default=4, help="clinics whose data the queries must skip")
    args = parser.parse_args()

    django_setup()
    static_collect()
    header("dashboard page")
    t0 = time.monotonic()
    token = cohort_setup(args.patients, args.days, args.other_clinics)
    physio, cookie = web_session(token)
    print(f"set-up {time.monotonic() - t0:.0f} s; {physio.username} signed in to the web and the API", flush=True)
    requests = {
        "page": (f"/?page_size={args.page_size}", {"Cookie": cookie}),
        "json": (f"/api/v1/patients/?limit={args.page_size}", {"Authorization": f"Bearer {token}"}),
    }
    queries = {name: in_process(path, headers) for name, (path, headers) in requests.items()}
    server = server_start(2)
    try:
        timings = rounds(requests, args.requests)
    finally:
        server.terminate()
        server.wait(timeout=15)
    p95 = {name: percentile(values, 95) for name, values in timings.items()}
    for name, (path, _) in requests.items():
        statements, rows, size = queries[name]
        print(
            f"  {name:4s} GET {path:32s} p50 {percentile(timings[name], 50):6.1f} ms  p95 {p95[name]:6.1f} ms  "
            f"queries {statements:3d}  rows {rows:3d}  {size / 1024:6.1f} KiB",
            flush=True,
        )
    ratio = p95["page"] / p95["json"]
    print(f"page p95 / JSON p95 {ratio:.2f}x  (target <= 2x: {met(ratio <= 2)})")


if __name__ == "__main__":
    main()
