"""Reminder fan-out: the daily reminder job for 100,000 patients across time zones.

Set-up: patients in six zones (Sydney to Los Angeles) on the three protocols
at every stage, each with a phone, most with a pain entry yesterday. Then, in
a fresh process so its memory is the job's own:

1. the planner (reminders_plan) at one instant: the next 36 hours of
   reminders, as beat runs it hourly; rows/s and peak memory;
2. the sender (reminders_send_due) swept every 15 minutes through the next
   24 hours (bounded by --send-seconds of wall time): reminders handed to
   their phones and pushed, rows/s;
3. the floor, in the same run: one INSERT ... SELECT writing one reminder row
   per patient with the same columns: rows/s of the database alone.

    .venv/bin/python bench/reminders.py [--patients 100000] [--send-seconds 60]

(--patients 2000 is the cohort simulator's size: the planner's run there.)

Peak memory is the process's own peak resident set (VmHWM) and its growth
during each job; --python-peak adds tracemalloc's Python peak for the planner
in a second (slow) pass.
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from _common import ROOT, data_reset, django_setup, header, vacuum_analyze

TIMEZONES = ("Australia/Sydney", "Asia/Kolkata", "Europe/London", "America/New_York", "America/Los_Angeles", "UTC")
AT = datetime(2026, 3, 16, 6, 5, tzinfo=UTC)  # a Monday, 06:05 UTC: beat's hourly planner run


class NullPush:
    """A push provider that sends nowhere (the memory one would keep 100,000 messages)."""

    def push(self, message) -> None:
        return None


def rss_mb() -> float:
    """This process's peak resident set. Linux's getrusage keeps the parent's peak across fork and exec,
    so VmHWM (the peak of this process's own memory) is read where there is one."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(patients: int) -> None:
    import uuid

    from patients.models import Device
    from rehab.devtools.simulation import bulk
    from rehab.devtools.simulation.copy import copy_instances

    data_reset()
    rng = random.Random(7)
    from protocols.selectors import protocol_versions_latest

    versions = protocol_versions_latest()
    codes = sorted(versions)
    clinics = bulk.clinics_create(max(1, patients // 5000), prefix="Fan-out")
    rows = [
        bulk.PatientRow(clinics[i % len(clinics)], None, f"P{i}", TIMEZONES[i % len(TIMEZONES)], "x")
        for i in range(patients)
    ]
    created = bulk.patients_create(rows)
    starts = [(AT - timedelta(days=rng.randint(0, 200))).date() for _ in created]
    bulk.enrollments_create(
        ((p, versions[codes[i % len(codes)]], s) for i, (p, s) in enumerate(zip(created, starts, strict=True))),
        as_of=AT,
    )
    copy_instances([Device(patient=p, platform="android", token=uuid.uuid4().hex) for p in created])
    yesterday = [
        (p, "pain_logs", {"client_id": str(uuid.uuid4()), "recorded_at": (AT - timedelta(hours=20)).isoformat(),
                          "score": 3, "context": "morning"})
        for p in created if rng.random() < 0.7
    ]  # fmt: skip
    bulk.logs_copy(yesterday)
    vacuum_analyze()


def measure(patients: int, send_seconds: float, python_peak: bool) -> dict:
    """Runs in a fresh process: the jobs, their rows/s and memory."""
    import time_machine
    from django.db import connection

    from rehab.alerts.models import Delivery
    from rehab.reminders.models import Reminder
    from rehab.reminders.services import reminders_plan, reminders_send_due

    out = {"rss_before_mb": rss_mb()}
    with time_machine.travel(AT, tick=False):
        t0 = time.perf_counter()
        planned = reminders_plan(now=AT)
        out["plan_seconds"] = time.perf_counter() - t0
    out["plan"] = planned
    out["plan_rows"] = Reminder.objects.count()
    out["rss_after_plan_mb"] = rss_mb()

    # The sender, every 15 minutes through the next day, as beat's 5-minute sweep would; bounded in wall time
    # because each push is its own provider call (and delivery record), so a day of 100,000 takes long.
    t0 = time.perf_counter()
    handed = 0
    at = AT
    with time_machine.travel(AT, tick=False) as traveller:
        for _ in range(24 * 4):
            if time.perf_counter() - t0 > send_seconds:
                break
            at += timedelta(minutes=15)
            traveller.move_to(at)
            handed += reminders_send_due(now=at)["handed_on"]
    out["send_seconds"] = time.perf_counter() - t0
    out["sent"] = handed
    out["deliveries"] = Delivery.objects.filter(status=Delivery.Status.DELIVERED).count()
    out["rss_after_send_mb"] = rss_mb()

    # The floor: the database writing one reminder row per patient in one statement.
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO rehab_reminder (patient_id, kind, slot, due_at, title, body, status, created_at)
            SELECT id, 'exercise', 'floor', %s, 'Time for your exercises', 'Your plan for today is ready.',
                   'pending', %s
            FROM patients_patient WHERE status = 'active'
            """,
            [AT + timedelta(hours=3), AT],
        )
        out["floor_rows"] = cursor.rowcount
        out["floor_seconds"] = time.perf_counter() - t0
        cursor.execute("DELETE FROM rehab_reminder WHERE slot = 'floor'")

    if python_peak:
        # tracemalloc's Python peak for the planner, on a second run (nothing new to write, the same reading).
        tracemalloc.start()
        with time_machine.travel(AT, tick=False):
            reminders_plan(now=AT)
        out["plan_python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--send-seconds", type=float, default=60, help="wall-time bound of the sender phase")
    parser.add_argument("--python-peak", action="store_true", help="also run the planner under tracemalloc (slow)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()

    django_setup(PUSH_BACKEND="reminders.NullPush")
    if args.measure_only:
        print(json.dumps(measure(args.patients, args.send_seconds, args.python_peak)))
        return
    header("reminders")
    t0 = time.monotonic()
    setup(args.patients)
    print(f"set-up: {args.patients} patients, enrolments, devices, pain entries in {time.monotonic() - t0:.0f} s")
    child = subprocess.run(
        [sys.executable, __file__, "--patients", str(args.patients), "--send-seconds", str(args.send_seconds),
         "--measure-only", *(["--python-peak"] if args.python_peak else [])],
        cwd=ROOT / "bench", capture_output=True, text=True,
    )  # fmt: skip
    if child.returncode:
        sys.exit(child.stderr)
    r = json.loads(child.stdout.strip().splitlines()[-1])
    plan_rate = r["plan_rows"] / r["plan_seconds"]
    send_rate = r["sent"] / r["send_seconds"]
    floor_rate = r["floor_rows"] / r["floor_seconds"]
    print(
        f"  planner  {r['plan_rows']:7d} rows in {r['plan_seconds']:6.1f} s = {plan_rate:8.0f} rows/s  "
        f"({r['plan']['considered']} considered, {1000 * r['plan_seconds'] / args.patients:.2f} ms per enrolment)  "
        f"RSS peak {r['rss_after_plan_mb']:.0f} MB "
        f"(+{r['rss_after_plan_mb'] - r['rss_before_mb']:.0f} MB)"
        + (f", Python peak {r['plan_python_peak_mb']:.0f} MB" if "plan_python_peak_mb" in r else "")
    )
    print(
        f"  sender   {r['sent']:7d} rows in {r['send_seconds']:6.1f} s = {send_rate:8.0f} rows/s  "
        f"({r['deliveries']} pushes delivered)  RSS peak {r['rss_after_send_mb']:.0f} MB"
    )
    print(f"  floor    {r['floor_rows']:7d} rows in {r['floor_seconds']:6.1f} s = {floor_rate:8.0f} rows/s")
    print(f"ratio planner/floor {plan_rate / floor_rate:.3f}  sender/floor {send_rate / floor_rate:.3f}")


if __name__ == "__main__":
    main()
