"""RTM ledger: one clinic's month over 10,000 patients, in seconds and SQL statements.

Set-up, generated set-based in SQL: one clinic with 10,000 patients in six zones (and a second
clinic of 1,000 beside it, which the ledger must not read), 20 physios, an RTM episode per patient
started up to 60 days before the month, patient logs (pain on ~70% of local days, exercise on
~50%) from then to the month's end, 0-6 time entries per patient in the month (a third of them
overlapping the entry before, 60% with a live call), and 2% of patients flagged RPM.

Then `rehab.billing.selectors.ledger.clinic_month_rows` for the month, as of its 20th, timed over
a few rounds with its SQL statements counted: it must be a handful of statements, whatever the
number of patients (one set-based statement computes every patient's figures).

    .venv/bin/python bench/rtm_ledger.py [--patients 10000] [--rounds 3]
"""

import argparse
import importlib
import statistics
import time
from collections import Counter
from datetime import UTC, date, datetime

from _common import QueryCounter, data_reset, django_setup, header, vacuum_analyze

TIMEZONES = ("Pacific/Kiritimati", "Asia/Kolkata", "Europe/London", "America/New_York", "Pacific/Pago_Pago", "UTC")
MONTH = date(2026, 11, 1)
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

EPISODES_SQL = """
INSERT INTO billing_episode (patient_id, started_on, started_by_id, created_at)
SELECT p.id, %(month)s::date - (abs(hashtext(p.id::text)) %% 60), %(physio)s, %(at)s
FROM patients_patient p WHERE p.clinic_id = %(clinic)s
"""
# One log per chosen local day at local noon, received then; `share` of the days have one.
LOGS_SQL = """
INSERT INTO {table} (patient_id, client_id, local_date, received_at, {extra_columns})
SELECT e.patient_id, gen_random_uuid(), d::date, (d::date + time '12:00') AT TIME ZONE p.timezone, {extra_values}
FROM billing_episode e JOIN patients_patient p ON p.id = e.patient_id
CROSS JOIN LATERAL generate_series(e.started_on, %(month_end)s::date, interval '1 day') AS d
WHERE random() < %(share)s
"""
PAIN = ("recorded_at, score, context, note", "(d::date + time '12:00') AT TIME ZONE p.timezone, 3, 'rest', ''")
EXERCISE = (
    "performed_at, exercise, sets, reps, completed",
    "(d::date + time '18:00') AT TIME ZONE p.timezone, 'calf-raise', 3, 15, true",
)
ENTRIES_SQL = """
INSERT INTO billing_timeentry
    (patient_id, clinician_id, kind, activity, started_at, minutes, interactive, note, recorded_at)
SELECT e.patient_id, physios[1 + abs(hashtext(e.patient_id::text)) %% array_length(physios, 1)],
       'record', 'data_review', t.at, t.minutes, random() < 0.6, '', t.at
FROM billing_episode e
CROSS JOIN (SELECT %(physios)s::int[] AS physios) AS staff
CROSS JOIN LATERAL (
    -- every third day of the month; a third of them 5 minutes into the day before's (overlapping it)
    SELECT %(month_from)s::timestamptz + n * interval '3 days'
               - CASE WHEN random() < 0.33 THEN interval '3 days' - interval '5 minutes' ELSE interval '0' END AS at,
           3 + floor(random() * 18)::int AS minutes
    FROM generate_series(1, floor(random() * 7)::int + 0 * e.patient_id) AS n  -- per episode, not once
) AS t
"""
RPM_SQL = """
INSERT INTO billing_rpmmonth (patient_id, month, set_by_id, set_at)
SELECT e.patient_id, %(month)s, %(physio)s, %(at)s
FROM billing_episode e JOIN patients_patient p ON p.id = e.patient_id
WHERE p.clinic_id = %(clinic)s AND random() < 0.02
"""


class TimedCounter(QueryCounter):
    """Counts the statements and the seconds spent in them (fetching the rows included)."""

    def __init__(self):
        super().__init__()
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return super().__call__(execute, sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


def setup(patients: int):
    from django.apps import apps
    from django.db import connection

    from patients.models import Clinic
    from rehab.devtools.simulation import bulk

    data_reset()
    # The rule sets are data in the billing app's tables, which the reset emptied: seeded as migrate does.
    importlib.import_module("rehab.billing.migrations.0002_cpt_rule_sets_and_append_only_entries").seed(apps, None)
    clinic, other = bulk.clinics_create(2, prefix="RTM")
    physios = bulk.staff_create([clinic], per_clinic=20, prefix="physio")
    other_physio = bulk.staff_create([other], per_clinic=1, prefix="physio")[0]
    condition = "calcific_insertional_tendinopathy"
    bulk.patients_create(
        [bulk.PatientRow(clinic, None, f"P{i:05d}", TIMEZONES[i % len(TIMEZONES)], condition) for i in range(patients)]
        + [bulk.PatientRow(other, None, f"O{i:05d}", "UTC", condition) for i in range(patients // 10)]
    )
    month_end = date(2026, 11, 30)
    params = {
        "month": MONTH,
        "month_end": month_end,
        "at": AT,
        "month_from": datetime(2026, 11, 1, tzinfo=UTC),
        "physios": [p.pk for p in physios],
    }
    with connection.cursor() as cursor:
        cursor.execute(EPISODES_SQL, {**params, "physio": physios[0].pk, "clinic": clinic.pk})
        cursor.execute(EPISODES_SQL, {**params, "physio": other_physio.pk, "clinic": other.pk})
        counts = {}
        for table, (columns, values), share in (("rehab_painlog", PAIN, 0.7), ("rehab_exerciselog", EXERCISE, 0.5)):
            cursor.execute(LOGS_SQL.format(table=table, extra_columns=columns, extra_values=values),
                           {**params, "share": share})  # fmt: skip
            counts[table] = cursor.rowcount
        cursor.execute(ENTRIES_SQL, params)
        counts["billing_timeentry"] = cursor.rowcount
        cursor.execute(RPM_SQL, {**params, "physio": physios[0].pk, "clinic": clinic.pk})
        counts["billing_rpmmonth"] = cursor.rowcount
    vacuum_analyze()
    print(f"set-up: {patients} patients (+{patients // 10} in another clinic), rows {counts}", flush=True)
    return Clinic.objects.get(pk=clinic.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    django_setup()
    import time_machine
    from django.db import connection

    from rehab.billing.selectors.ledger import clinic_month_rows

    header("rtm_ledger")
    t0 = time.perf_counter()
    clinic = setup(args.patients)
    print(f"set-up took {time.perf_counter() - t0:.1f} s", flush=True)
    seconds, statements, rows, in_sql = [], [], [], []
    with time_machine.travel(AT, tick=False):
        for _ in range(args.rounds):
            counter = TimedCounter()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                rows = clinic_month_rows(clinic=clinic, month=MONTH)
                seconds.append(time.perf_counter() - start)
            statements.append(counter.count)
            in_sql.append(counter.seconds)
    codes = Counter(code for row in rows for code in row["codes"])
    print(f"ledger {MONTH:%Y-%m}: {len(rows)} patient rows, {sum(r['billable'] for r in rows)} billable, "
          f"{sum(r['rpm'] for r in rows)} RPM, codes {dict(sorted(codes.items()))}")  # fmt: skip
    rounds = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"seconds per month: median {statistics.median(seconds):.2f} (rounds {rounds}), "
          f"of which in SQL {statistics.median(in_sql):.2f}")  # fmt: skip
    print(f"SQL statements per month: {max(statements)} (one set-based statement of figures for every patient)")


if __name__ == "__main__":
    main()
