"""RTM ledger: one clinic's month over 10,000 patients, in seconds and SQL statements.

Set-up, generated set-based in SQL: one clinic with 10,000 patients in six zones (and a second
clinic of 1,000 beside it, which the ledger must not read), 20 physios, an RTM episode per patient
started up to 60 days before the month, patient logs (pain on ~70% of local days, exercise on
~50%) from then to the month's end, 0-6 time entries per patient in the month (a third of them
overlapping the entry before, 60% with a live call), and 2% of patients flagged RPM.

Then `rehab.billing.selectors.ledger.clinic_month_rows` for the month, as of its 20th, timed over
a few rounds with its SQL statements counted: it must be a handful of statements, whatever the
number of patients (one set-based statement computes every patient's figures).

With --simulated, the cohort is the simulator's instead (rehab.devtools.simulation, what
`manage.py simulate_cohort` runs): its patients live --days days through the API's log path and
the periodic jobs, then every one gets an RTM episode through rehab.billing.services.episodes and a
few clinicians' time entries through rehab.billing.services.time_entries, and the same call is
timed for every clinic and month the run spans (the simulator's clinics have 250 patients each;
--per-clinic puts more in each).

    .venv/bin/python bench/rtm_ledger.py [--patients 10000] [--rounds 3]
    .venv/bin/python bench/rtm_ledger.py --simulated [--patients 2000 --days 60 --seed 1 --workers 2 --per-clinic N]
"""

import argparse
import importlib
import random
import statistics
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from _common import QueryCounter, data_reset, django_setup, header, vacuum_analyze

TIMEZONES = ("Pacific/Kiritimati", "Asia/Kolkata", "Europe/London", "America/New_York", "Pacific/Pago_Pago", "UTC")
MONTH = date(2026, 11, 1)
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# The ledger's statements for an open month, whatever the number of patients: the month's close, the rule
# sets, the clinic's data-day rule, and the figures of every patient in one set-based statement.
LEDGER_STATEMENTS = 4

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


def simulated_setup(*, patients: int, days: int, seed: int, workers: int, per_clinic: int | None):
    """The simulator's cohort, then an episode for every patient and a few time entries, through the services."""
    import time_machine
    from django.apps import apps

    from rehab.devtools.simulation import engine
    from rehab.devtools.simulation.engine import Simulation, SimulationConfig
    from rehab.devtools.simulation.jobs import beat_jobs, entries_write, tasks_run_in_process

    if per_clinic:  # the simulator splits its cohort into clinics of 250; bigger ones show the ledger's growth
        engine.PATIENTS_PER_CLINIC = per_clinic
    data_reset()
    importlib.import_module("rehab.billing.migrations.0002_cpt_rule_sets_and_append_only_entries").seed(apps, None)
    config = SimulationConfig(patients=patients, days=days, seed=seed)
    with tasks_run_in_process():
        sim = Simulation(config, write=entries_write, jobs=beat_jobs(), progress=lambda line: print(line, flush=True))
        sim.setup()
        stats = sim.run(workers=workers)
    seconds = ", ".join(f"{k} {v:.1f}" for k, v in stats.seconds.items())
    print(f"simulated {patients} patients x {days} days from {config.start} (seed {seed}, {workers} writers): "
          f"seconds {seconds}; logs written {dict(stats.logs_written)}, refused {sum(stats.logs_refused.values())}, "
          f"history rows {stats.history_rows}", flush=True)  # fmt: skip
    with time_machine.travel(config.ends, tick=False) as traveller:
        episodes_start(sim.patients, [p.start_date(config.start) for p in sim.profiles], config=config)
        time_entries_record(sim.patients, config=config, seed=seed, traveller=traveller)
    vacuum_analyze()
    return sim.clinic_ids, config


def episodes_start(patients, starts: list[date], *, config) -> None:
    """Each patient's RTM monitoring, started by their physio from the later of their enrolment and the span."""
    from django.db import connection

    from config import clock
    from rehab.billing.services.episodes import episode_start

    counter, started, t0 = QueryCounter(), 0, time.perf_counter()
    with connection.execute_wrapper(counter):
        for patient, start in zip(patients, starts, strict=True):
            started_on = max(start, config.start)
            if started_on <= clock.local_today(patient.timezone):
                episode_start(patient=patient, by=patient.assigned_physio, started_on=started_on)
                started += 1
    print(f"episodes: {started} started through episode_start in {time.perf_counter() - t0:.1f} s "
          f"({counter.count / max(started, 1):.1f} statements each)", flush=True)  # fmt: skip


def time_entries_record(patients, *, config, seed: int, traveller) -> None:
    """2-7 entries per patient over the span, each recorded at its end on the moved clock.

    Most by the patient's physio, a fifth by another physio of the clinic; a third of those after a
    patient's first start a few minutes into the entry before (the same clinician's overlapping
    minutes, which the ledger merges); 60% a live call (interactive).
    """
    from django.db import connection

    from patients.models import User
    from rehab.billing.models import TimeEntry
    from rehab.billing.services.time_entries import time_entry_record

    rng = random.Random(seed)
    staff: dict[int, list[User]] = {}
    for user in User.objects.filter(clinic_id__in={p.clinic_id for p in patients}, role=User.Role.PHYSIO):
        staff.setdefault(user.clinic_id, []).append(user)
    last = config.ends - timedelta(hours=1)
    planned, overlapping = [], 0
    for patient in patients:
        previous = None
        for _ in range(rng.randint(2, 7)):
            if previous and rng.random() < 0.33:
                at, by = previous[1] + timedelta(minutes=min(5, previous[4] - 1)), previous[2]
                overlapping += 1
            else:
                at = config.begins + (last - config.begins) * rng.random()
                by = patient.assigned_physio if rng.random() < 0.8 else rng.choice(staff[patient.clinic_id])
            interactive = rng.random() < 0.6
            activity = TimeEntry.Activity.CALL if interactive else rng.choice(
                (TimeEntry.Activity.DATA_REVIEW, TimeEntry.Activity.MESSAGING, TimeEntry.Activity.PROGRAMME_CHANGE)
            )  # fmt: skip
            previous = (patient, at, by, activity, rng.randint(3, 20), interactive)
            planned.append(previous)
    counter, t0 = QueryCounter(), time.perf_counter()
    with connection.execute_wrapper(counter):
        for patient, at, by, activity, minutes, interactive in sorted(
            planned, key=lambda e: e[1] + timedelta(minutes=e[4])
        ):
            traveller.move_to(at + timedelta(minutes=minutes))
            time_entry_record(
                patient=patient, by=by, activity=activity, started_at=at, minutes=minutes, interactive=interactive
            )
    took, interactive = time.perf_counter() - t0, sum(e[5] for e in planned)
    print(f"time entries: {len(planned)} recorded through time_entry_record in {took:.1f} s "
          f"({overlapping} overlapping the one before, {interactive} interactive)", flush=True)  # fmt: skip


def months_spanned(clinic, config) -> list[date]:
    from config import clock

    month = clock.local_today(clinic.time_zone, at=config.begins).replace(day=1)
    last = clock.local_today(clinic.time_zone, at=config.ends - timedelta(microseconds=1))
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def ledger_time(*, clinic, month: date, rounds: int):
    """The month's ledger `rounds` times: its rows, and per round the seconds, seconds in SQL and statements."""
    from django.db import connection

    from rehab.billing.selectors.ledger import clinic_month_rows

    seconds, in_sql, statements, rows = [], [], [], []
    for _ in range(rounds):
        counter = TimedCounter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            rows = clinic_month_rows(clinic=clinic, month=month)
            seconds.append(time.perf_counter() - start)
        statements.append(counter.count)
        in_sql.append(counter.seconds)
    return rows, seconds, in_sql, statements


def statements_check(statements: list[int]) -> None:
    if set(statements) != {LEDGER_STATEMENTS}:
        raise SystemExit(f"the ledger sent {sorted(set(statements))} statements, not {LEDGER_STATEMENTS}")


def main_simulated(args) -> None:
    import time_machine

    from patients.models import Clinic

    t0 = time.perf_counter()
    clinic_ids, config = simulated_setup(
        patients=args.patients, days=args.days, seed=args.seed, workers=args.workers, per_clinic=args.per_clinic
    )
    print(f"set-up took {time.perf_counter() - t0:.1f} s", flush=True)
    all_statements, all_seconds, patient_rows = [], [], 0
    with time_machine.travel(config.ends, tick=False):
        print(f"ledger as of {config.ends:%Y-%m-%d %H:%M} UTC, per clinic and month (median of {args.rounds} rounds):")
        for clinic in Clinic.objects.filter(pk__in=clinic_ids).order_by("pk"):
            for month in months_spanned(clinic, config):
                rows, seconds, in_sql, statements = ledger_time(clinic=clinic, month=month, rounds=args.rounds)
                codes = Counter(code for row in rows for code in row["codes"])
                print(f"  {clinic.name} {month:%Y-%m}: {len(rows)} patient rows, {sum(r['billable'] for r in rows)} "
                      f"billable, codes {dict(sorted(codes.items()))}; seconds {statistics.median(seconds):.3f} "
                      f"(in SQL {statistics.median(in_sql):.3f}), statements {max(statements)}")  # fmt: skip
                all_statements += statements
                all_seconds.append(statistics.median(seconds))
                patient_rows += len(rows)
    statements_check(all_statements)
    print(f"clinic-months: {len(all_seconds)}, patient rows {patient_rows}, seconds in all {sum(all_seconds):.2f} "
          f"(median per clinic-month {statistics.median(all_seconds):.3f}, "
          f"{1000 * sum(all_seconds) / max(patient_rows, 1):.2f} ms per patient row)")  # fmt: skip
    print(f"SQL statements per clinic-month: {LEDGER_STATEMENTS} in every one (as in the SQL-generated mode)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=None, help="default 10,000 (--simulated: 2,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--simulated", action="store_true", help="the cohort simulator's patients instead")
    parser.add_argument("--days", type=int, default=60, help="--simulated: days simulated")
    parser.add_argument("--seed", type=int, default=1, help="--simulated: the cohort's seed")
    parser.add_argument("--workers", type=int, default=2, help="--simulated: processes writing logs")
    parser.add_argument(
        "--per-clinic", type=int, default=None, help="--simulated: patients per clinic (the simulator's 250)"
    )
    args = parser.parse_args()
    django_setup()
    if args.simulated:
        args.patients = args.patients or 2_000
        per_clinic = f" --per-clinic {args.per_clinic}" if args.per_clinic else ""
        header(f"rtm_ledger --simulated --patients {args.patients} --days {args.days} --seed {args.seed}{per_clinic}")
        main_simulated(args)
        return
    import time_machine

    header("rtm_ledger")
    t0 = time.perf_counter()
    clinic = setup(args.patients or 10_000)
    print(f"set-up took {time.perf_counter() - t0:.1f} s", flush=True)
    with time_machine.travel(AT, tick=False):
        rows, seconds, in_sql, statements = ledger_time(clinic=clinic, month=MONTH, rounds=args.rounds)
    codes = Counter(code for row in rows for code in row["codes"])
    print(f"ledger {MONTH:%Y-%m}: {len(rows)} patient rows, {sum(r['billable'] for r in rows)} billable, "
          f"{sum(r['rpm'] for r in rows)} RPM, codes {dict(sorted(codes.items()))}")  # fmt: skip
    rounds = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"seconds per month: median {statistics.median(seconds):.2f} (rounds {rounds}), "
          f"of which in SQL {statistics.median(in_sql):.2f}")  # fmt: skip
    print(f"SQL statements per month: {max(statements)} (one set-based statement of figures for every patient)")
    statements_check(statements)


if __name__ == "__main__":
    main()
