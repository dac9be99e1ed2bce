"""manage.py simulate_cohort --patients N --days D --seed S

Synthetic patients live through their protocols on a moved clock: their logs
go through the API's serializers and the log service, the periodic jobs run
every tick, and the summary compares the alerts raised with what the
simulator knows about each patient. It writes into the configured database
(new clinics named "Sim <seed> ..."); run it against a PostgreSQL database
meant for it.
Needs the development requirements (time-machine moves the clock).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Simulate a synthetic cohort day by day and print what the backend did, checked against the truth."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=200)
        parser.add_argument("--days", type=int, default=120)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--start", default="2026-02-02", help="First simulated UTC date (default 2026-02-02).")
        parser.add_argument(
            "--tick-hours", type=int, default=1, choices=(1, 2, 3), help="jobs run at the end of each tick (default 1)"
        )
        parser.add_argument("--plan-every-hours", type=int, default=24, help="reminder planner cadence (default 24)")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes writing logs in parallel (needs committed data: >1 only outside a test transaction)",
        )

    def handle(self, *args, **opts):
        from datetime import date

        # Checked before anything touches the database: the set-up streams rows with COPY and reserves ids
        # from PostgreSQL sequences, so on the embedded SQLite default it would fail deep inside with a traceback.
        if connection.vendor != "postgresql":
            raise CommandError(
                f"simulate_cohort needs PostgreSQL (it loads the cohort with COPY), not {connection.vendor}: "
                "set DATABASE_URL to a postgres:// database of its own"
            )
        try:
            from rehab.devtools.simulation.engine import Simulation, SimulationConfig
        except ImportError as exc:  # time-machine is a development requirement
            raise CommandError(f"simulate_cohort needs the development requirements: {exc}") from exc
        from rehab.devtools.simulation.jobs import beat_jobs, entries_write, tasks_run_in_process
        from rehab.devtools.simulation.summary import cohort_summary

        if opts["patients"] < 1 or opts["days"] < 1:
            raise CommandError("--patients and --days must be at least 1")
        try:
            start = date.fromisoformat(opts["start"])
        except ValueError as exc:
            raise CommandError(f"--start: {exc}") from exc
        config = SimulationConfig(
            patients=opts["patients"], days=opts["days"], seed=opts["seed"], start=start, tick_hours=opts["tick_hours"]
        )
        began = time.monotonic()
        # Simulated clinics and patients must never reach a real inbox or phone.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", PUSH_BACKEND="memory")
        with quiet, tasks_run_in_process():
            jobs = beat_jobs(plan_every_hours=opts["plan_every_hours"])
            sim = Simulation(config, write=entries_write, jobs=jobs, progress=self.stderr.write)
            sim.setup()
            stats = sim.run(workers=opts["workers"])
        report = cohort_summary(
            profiles=sim.profiles,
            patient_ids=[p.pk for p in sim.patients],
            clinic_ids=sim.clinic_ids,
            ends=config.ends,
        )
        report["run"] = {
            "patients": config.patients,
            "days": config.days,
            "seed": config.seed,
            "history_rows_bulk": stats.history_rows,
            "logs_written": dict(stats.logs_written),
            "logs_refused": dict(stats.logs_refused),
            "jobs": dict(stats.jobs),
            "seconds": {k: round(v, 1) for k, v in {**stats.seconds, "total": time.monotonic() - began}.items()},
        }
        self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
