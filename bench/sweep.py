"""Nightly sweep: milestone reviews over 100,000 enrolments, 5,000 of them due, beside a set-based floor.

Set-up: 100,000 patients in six zones on the three protocols. A pool of
10,000 has a review whose window and grace period have passed, with pain
entries and VISA-A answers in its baseline and review windows (three in four
improving); the other 90,000 are earlier in their protocols with nothing due.

For each number due (2,500, 5,000, 10,000; the rest of the pool is pushed a
month into the future), the sweep (rehab.services.review_sweep.milestones_judge_due)
runs on a reset pool, timed and with its SQL statements counted, beside the
floor: ONE SQL statement doing the same selection and judgement (due reviews,
their baselines, daily pain means, VISA-A, section 4 thresholds) set-based.

    .venv/bin/python bench/sweep.py [--patients 100000] [--due 2500,5000,10000]

Targets: the sweep within 5x of the floor at 5,000 due, time linear in the
number due, and no per-enrolment queries.
"""

import argparse
import time
from datetime import UTC, datetime, timedelta

from _common import QueryCounter, data_reset, django_setup, header, vacuum_analyze, verdict

TIMEZONES = ("Australia/Sydney", "Asia/Kolkata", "Europe/London", "America/New_York", "America/Los_Angeles", "UTC")
AT = datetime(2026, 3, 16, 2, 15, tzinfo=UTC)  # beat's judge-due-milestones run
POOL_START_DAYS = {"conservative": 60, "post_surgical": 95}  # their review is a day or two past due at AT

FLOOR_SQL = """
WITH due AS (
    SELECT m.id, e.patient_id, m.window_start, m.window_end, b.window_start AS b_start, b.window_end AS b_end
    FROM rehab_milestone m
    JOIN rehab_enrollment e ON e.id = m.enrollment_id
    JOIN patients_patient p ON p.id = e.patient_id AND p.status = 'active'
    JOIN LATERAL (
        SELECT b.window_start, b.window_end FROM rehab_milestone b
        WHERE b.enrollment_id = m.enrollment_id AND b.kind = 'baseline' AND b.window_end < m.window_start
        ORDER BY b.window_end DESC LIMIT 1
    ) b ON true
    WHERE m.status IN ('pending', 'open') AND m.kind = 'review' AND m.due_at <= %(now)s
),
daily AS (
    SELECT d.id, l.local_date, avg(l.score) AS mean, l.local_date <= d.b_end + 7 AS in_base
    FROM due d
    JOIN rehab_painlog l ON l.patient_id = d.patient_id
        AND (l.local_date BETWEEN d.b_start AND d.b_end + 7 OR l.local_date BETWEEN d.window_end - 6 AND d.window_end)
    GROUP BY d.id, l.local_date, d.b_end
),
pain AS (
    SELECT id, avg(mean) FILTER (WHERE in_base) AS base, count(*) FILTER (WHERE in_base) AS base_days,
           avg(mean) FILTER (WHERE NOT in_base) AS cur, count(*) FILTER (WHERE NOT in_base) AS cur_days
    FROM daily GROUP BY id
),
visa AS (
    SELECT d.id,
        (SELECT v.score FROM rehab_visaaresponse v WHERE v.patient_id = d.patient_id
            AND v.local_date BETWEEN d.b_start AND d.b_end + 7 ORDER BY v.local_date LIMIT 1) AS base,
        (SELECT v.score FROM rehab_visaaresponse v WHERE v.patient_id = d.patient_id
            AND v.local_date BETWEEN d.window_start AND d.window_end ORDER BY v.local_date DESC LIMIT 1) AS cur
    FROM due d
)
SELECT CASE
    WHEN (pain.base_days >= 3 AND pain.cur_days >= 3 AND pain.base - pain.cur >= 2
          AND pain.base - pain.cur >= 0.3 * pain.base) OR visa.cur - visa.base >= 7 THEN 'met'
    WHEN (pain.base_days >= 3 AND pain.cur_days >= 3) OR (visa.base IS NOT NULL AND visa.cur IS NOT NULL)
        THEN 'not_met'
    ELSE 'not_judgeable' END AS outcome,
    count(*)
FROM due LEFT JOIN pain USING (id) LEFT JOIN visa USING (id)
GROUP BY 1
"""


def setup(patients: int, pool: int) -> list[tuple[int, datetime]]:
    """Returns the pool's review milestones as (id, due_at)."""
    import random

    from rehab.care.models import Milestone
    from rehab.devtools.simulation import bulk
    from rehab.devtools.simulation.trajectory import Course, cohort_plan, entries_for_day

    data_reset()
    from protocols.selectors import protocol_versions_latest

    versions = protocol_versions_latest()
    care_of = {code: pv.protocol.care for code, pv in versions.items()}
    rng = random.Random(3)
    clinics = bulk.clinics_create(max(1, patients // 5000), prefix="Sweep")
    profiles = cohort_plan(patients=pool, days=120, seed=3, care_of=care_of)
    rows = [
        bulk.PatientRow(clinics[i % len(clinics)], None, f"P{i}", TIMEZONES[i % len(TIMEZONES)], "x")
        for i in range(patients)
    ]
    created = bulk.patients_create(rows)
    pool_patients, rest = created[:pool], created[pool:]
    pool_items = []
    for patient, p in zip(pool_patients, profiles, strict=True):
        start = (AT - timedelta(days=POOL_START_DAYS[p.care])).date()
        pool_items.append((patient, versions[p.protocol_code], start, p))
    # Enrolled on their start dates, then every milestone due before the last few days decided.
    for start_days in set(POOL_START_DAYS.values()):
        group = [(pt, pv, s) for pt, pv, s, p in pool_items if POOL_START_DAYS[p.care] == start_days]
        bulk.enrollments_create(group, as_of=AT - timedelta(days=start_days + 1), decided_before=AT - timedelta(days=5))
    codes = sorted(versions)
    bulk.enrollments_create(
        ((pt, versions[codes[i % len(codes)]], (AT - timedelta(days=rng.randint(0, 40))).date())
         for i, pt in enumerate(rest)),
        as_of=AT, decided_before=AT,
    )  # fmt: skip
    history = []
    for patient, pv, start, p in pool_items:
        definition = pv.definition
        p = p if p.course is not Course.SILENT else p.__class__(**{**p.__dict__, "silent_from_day": None})
        days = set()
        for m in definition.milestones:
            if m.kind == "baseline":
                days |= set(range(m.window_start_day, m.window_end_day + 8))
            if m.is_review and m.window_end_day <= (AT.date() - start).days:
                days |= set(range(m.window_start_day, m.window_end_day + 1))
        for day in sorted(days):
            history.extend(
                (patient, e.kind, e.data)
                for e in entries_for_day(p, definition, start, day)
                if e.kind in ("pain_logs", "visa_a")
            )
    stored = bulk.logs_copy(history)
    vacuum_analyze()
    reviews = list(
        Milestone.objects.filter(
            enrollment__patient__in=[p.pk for p in pool_patients], kind="review", due_at__lte=AT
        ).exclude(status=Milestone.Status.DONE).order_by("id").values_list("id", "due_at")
    )  # fmt: skip
    print(f"set-up: {patients} patients, {len(reviews)} reviews past due in the pool, {stored} log rows", flush=True)
    return reviews


def pool_reset(reviews: list[tuple[int, datetime]], due: int) -> None:
    """The pool as before any sweep, with only the first `due` reviews due."""
    from django.db import connection

    ids = [pk for pk, _ in reviews]
    dues = [d if i < due else d + timedelta(days=30) for i, (_, d) in enumerate(reviews)]
    with connection.cursor() as cursor:
        # Only the pool's reviews raise alerts in this database.
        cursor.execute("TRUNCATE rehab_deliveryattempt, rehab_delivery, rehab_alertevent, rehab_alert")
        cursor.execute(
            """UPDATE rehab_milestone m SET status = 'pending', decided_at = NULL, evidence = '{}', due_at = v.due
               FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, due) WHERE m.id = v.id""",
            [ids, dues],
        )
        cursor.execute("VACUUM ANALYZE rehab_milestone")
        cursor.execute("VACUUM ANALYZE rehab_alert")


def floor_run() -> tuple[float, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(FLOOR_SQL, {"now": AT})
        rows = dict(cursor.fetchall())
        return time.perf_counter() - t0, rows


def sweep_run() -> tuple[float, dict, int]:
    import time_machine
    from django.db import connection

    from rehab.rules.services.review_sweep import milestones_judge_due

    counter = QueryCounter()
    with time_machine.travel(AT, tick=False), connection.execute_wrapper(counter):
        t0 = time.perf_counter()
        result = milestones_judge_due(now=AT)
        return time.perf_counter() - t0, {str(k): v for k, v in result.items()}, counter.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--due", default="2500,5000,10000", help="numbers due to measure (comma-separated)")
    args = parser.parse_args()
    sizes = sorted(int(x) for x in args.due.split(","))

    django_setup()
    header("sweep")
    t0 = time.monotonic()
    reviews = setup(args.patients, max(sizes))
    print(f"set-up {time.monotonic() - t0:.0f} s", flush=True)
    from rehab.alerts.models import Alert

    results = {}
    pool_reset(reviews, sizes[0])  # warm-up: the first sweep after a bulk load reads cold pages
    sweep_run()
    for due in sizes:
        pool_reset(reviews, due)
        floor_seconds, floor_outcomes = floor_run()
        pool_reset(reviews, due)
        seconds, outcomes, queries = sweep_run()
        alerts = Alert.objects.filter(milestone__isnull=False).count()
        results[due] = seconds
        print(
            f"  due {due:6d}  sweep {seconds:7.2f} s  floor {floor_seconds:6.2f} s  "
            f"ratio {seconds / floor_seconds:5.1f}x  "
            f"queries {queries} ({queries / due:.2f} per due, {alerts} alerts raised)  "
            f"{1000 * seconds / due:.2f} ms per due",
            flush=True,
        )
        print(f"           sweep decided {outcomes}; floor judged {floor_outcomes}", flush=True)
        if due == 5000:
            results["ratio_5000"] = seconds / floor_seconds
    small, large = sizes[0], sizes[-1]
    growth = (results[large] / results[small]) / (large / small)
    print(f"time per due at {large} / at {small}: {growth:.2f} (1.00 = linear)")
    if "ratio_5000" in results:
        ok = results["ratio_5000"] <= 5
        print(f"sweep/floor at 5,000 due {results['ratio_5000']:.1f}x  (target <= 5x: {verdict(ok)})")


if __name__ == "__main__":
    main()
