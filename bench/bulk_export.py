"""FHIR Bulk Data export of a clinic: resources per second and peak memory, beside the COPY floor.

Set-up, set-based: a clinic of 10,000 patients (and one of a quarter the size beside it, exported
too, to show the memory does not grow with the clinic), each enrolled 90 days ago on the
conservative protocol with its milestones, with 90 days of logs (pain on ~90% of days, exercise
on ~60%, a VISA-A about monthly, a medication now and then).

Then each clinic's export job (`rehab.exchange.services.bulk.bulk_export_run`, what the Celery
task calls) writes its NDJSON files to a temporary MEDIA_ROOT: wall time, resources per second, SQL
statements, and peak resident memory above the process's size before the job (sampled every
20 ms). Beside it, the floor: the same rows (patients, enrolments, milestones, every log) read out
of PostgreSQL as JSON with ONE `COPY (... UNION ALL ...) TO STDOUT`, no Python per row.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab_bench \\
      .venv/bin/python bench/bulk_export.py [--patients 10000] [--days 90]
"""

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

from _common import QueryCounter, data_reset, django_setup, header, vacuum_analyze

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TIMEZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC")

# One log per chosen local day, received two minutes after it was made.
LOGS_SQL = """
INSERT INTO {table} (patient_id, client_id, local_date, received_at, {columns})
SELECT p.id, gen_random_uuid(), d::date, (d::date + time '{at}') AT TIME ZONE p.timezone + interval '2 minutes',
       {values}
FROM patients_patient p
CROSS JOIN LATERAL generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
WHERE random() < %(share)s
"""
LOGS = {
    "rehab_painlog": ("recorded_at, score, context, note",
                      "(d::date + time '08:00') AT TIME ZONE p.timezone, floor(random() * 8)::int, 'morning', ''",
                      "08:00", 0.9),
    "rehab_exerciselog": ("performed_at, exercise, sets, reps, completed, pain_during",
                          "(d::date + time '18:00') AT TIME ZONE p.timezone, 'eccentric-heel-drop-straight-knee', "
                          "3, 15, true, floor(random() * 6)::int", "18:00", 0.6),
    "rehab_visaaresponse": ("completed_at, q1, q2, q3, q4, q5, q6, q7, q8_branch, q8, score",
                            "(d::date + time '20:00') AT TIME ZONE p.timezone, 5, 6, 7, 6, 5, 6, 4, 'B', 10, 55",
                            "20:00", 1 / 30),
    "rehab_medicationlog": ("taken_on, kind, name, route, site, indication",
                            "d::date, 'nsaid', 'ibuprofen', 'oral', '', ''", "09:00", 0.02),
}  # fmt: skip

# The floor: every row the export reads, as JSON, in one statement.
FLOOR_SQL = """
COPY (
    SELECT to_jsonb(p) FROM patients_patient p WHERE p.clinic_id = {clinic}
    UNION ALL SELECT to_jsonb(e) FROM rehab_enrollment e JOIN patients_patient p ON p.id = e.patient_id
        WHERE p.clinic_id = {clinic}
    UNION ALL SELECT to_jsonb(m) FROM rehab_milestone m JOIN rehab_enrollment e ON e.id = m.enrollment_id
        JOIN patients_patient p ON p.id = e.patient_id WHERE p.clinic_id = {clinic}
    {logs}
) TO STDOUT
"""


class PeakRss:
    """The process's resident memory, sampled from /proc while a block runs; peak above the start."""

    def __init__(self, every: float = 0.02):
        self.every, self.peak, self.start = every, 0, 0
        self._done = threading.Event()

    @staticmethod
    def now() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))

    def __enter__(self):
        self.start = self.peak = self.now()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._done.wait(self.every):
            self.peak = max(self.peak, self.now())

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())

    @property
    def above_start_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def setup(patients: int, days: int):
    from django.db import connection

    from patients.models import Clinic
    from rehab.devtools.simulation import bulk
    from tests.factories import protocol_version

    data_reset()
    big, small = bulk.clinics_create(2, prefix="Bulk")
    physios = bulk.staff_create([big, small], per_clinic=5, prefix="physio")
    condition = "calcific_insertional_tendinopathy"
    rows = [bulk.PatientRow(big, physios[0], f"P{i:05d}", TIMEZONES[i % 5], condition) for i in range(patients)]
    rows += [bulk.PatientRow(small, physios[5], f"Q{i:05d}", TIMEZONES[i % 5], condition) for i in range(patients // 4)]
    created = bulk.patients_create(rows)
    version = protocol_version("conservative-calcific-iat")
    start = (AT - timedelta(days=days)).date()
    bulk.enrollments_create([(p, version, start) for p in created], as_of=AT)
    counts = {}
    with connection.cursor() as cursor:
        for table, (columns, values, at, share) in LOGS.items():
            sql = LOGS_SQL.format(table=table, columns=columns, values=values, at=at)
            cursor.execute(sql, {"start": start, "end": AT.date() - timedelta(days=1), "share": share})
            counts[table] = cursor.rowcount
    vacuum_analyze()
    print(f"set-up: {patients} + {patients // 4} patients, {days} days of logs, rows {counts}", flush=True)
    return [Clinic.objects.get(pk=small.pk), Clinic.objects.get(pk=big.pk)]  # the small one first: same start


def export(clinic, admin) -> dict:
    from django.db import connection

    from rehab.exchange.models import BulkExport
    from rehab.exchange.selectors.clinic import BULK_TYPES
    from rehab.exchange.services.bulk import bulk_export_run

    job = BulkExport.objects.create(
        clinic=clinic, requested_by=admin, request_url="bench", types=list(BULK_TYPES), base_url="https://bench/fhir",
        requested_at=AT,
    )  # fmt: skip
    counter = QueryCounter()
    with PeakRss() as memory, connection.execute_wrapper(counter):
        started = time.perf_counter()
        outcome = bulk_export_run(export_id=job.pk)
        seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert outcome == "completed", outcome
    resources = sum(item["count"] for item in job.output)
    return {"seconds": seconds, "resources": resources, "statements": counter.count, "memory": memory.above_start_mb,
            "files": {item["type"]: item["count"] for item in job.output}}  # fmt: skip


def floor(clinic) -> dict:
    from django.db import connection

    logs = "".join(
        f"\n    UNION ALL SELECT to_jsonb(l) FROM {table} l JOIN patients_patient p ON p.id = l.patient_id "
        f"WHERE p.clinic_id = {clinic.pk}"
        for table in (*LOGS, "rehab_symptomreport")
    )
    rows = size = 0
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(FLOOR_SQL.format(clinic=clinic.pk, logs=logs)) as copy:
        for chunk in copy:
            size += len(chunk)
            rows += bytes(chunk).count(b"\n")
    return {"seconds": time.perf_counter() - started, "rows": rows, "mb": size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    media = tempfile.TemporaryDirectory(prefix="bench-bulk-")
    django_setup(MEDIA_ROOT=media.name)
    import time_machine

    from tests.factories import ClinicAdminFactory

    header("bulk_export")
    t0 = time.perf_counter()
    clinics = setup(args.patients, args.days)
    print(f"set-up took {time.perf_counter() - t0:.1f} s", flush=True)
    with time_machine.travel(AT, tick=True):
        for clinic in clinics:
            admin = ClinicAdminFactory(clinic=clinic)
            patients = clinic.patients.count()
            job = export(clinic, admin)
            base = floor(clinic)
            rate = job["resources"] / job["seconds"]
            floor_rate = base["rows"] / base["seconds"]
            print(f"\nclinic of {patients} patients: {job['resources']} resources in {job['seconds']:.1f} s = "
                  f"{rate:,.0f} resources/s; {job['statements']} SQL statements; "
                  f"peak memory +{job['memory']:.1f} MB above the process before the job", flush=True)  # fmt: skip
            print(f"  files: {job['files']}")
            print(f"  floor (one COPY of the same rows as JSON): {base['rows']} rows, {base['mb']:.0f} MB in "
                  f"{base['seconds']:.1f} s = {floor_rate:,.0f} rows/s; the export runs at "
                  f"{rate / floor_rate:.2f} of the floor's rate", flush=True)  # fmt: skip
    media.cleanup()


if __name__ == "__main__":
    main()
