"""The cohort simulator: synthetic patients living through their protocols on a moved clock.

Set-up is bulk (clinics, staff, patients, enrolments, and the history of
patients who started before the simulated span). Inside the span, each tick's
entries go through the API's own input serializers and the log service's batch
path (rehab.services.logs.logs_record, as POST /me/sync/ stores them), received
at the instant of the tick's last entry, and the periodic jobs run at the end
of every tick, as beat would run them. The clock is moved with time-machine, so
every service reads the simulated "now" through config.clock.
"""

import logging
import math
import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.db import connection

from patients.models import Patient
from protocols.selectors import protocol_versions_latest
from rehab.devtools.simulation import bulk
from rehab.devtools.simulation.trajectory import Entry, Profile, cohort_plan, entries_for_day

logger = logging.getLogger(__name__)

HISTORY_KINDS = ("pain_logs", "exercise_logs", "visa_a")
PATIENTS_PER_CLINIC = 250
PATIENTS_PER_PHYSIO = 50


@dataclass(frozen=True)
class SimulationConfig:
    patients: int
    days: int
    seed: int
    start: date = date(2026, 2, 2)  # spans the 2026 daylight-saving changes of the simulated zones
    tick_hours: int = 1

    @property
    def begins(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time(), tzinfo=UTC)

    @property
    def ends(self) -> datetime:
        return self.begins + timedelta(days=self.days)


@dataclass
class RunStats:
    logs_written: Counter = field(default_factory=Counter)
    logs_refused: Counter = field(default_factory=Counter)
    history_rows: int = 0
    jobs: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=dict)


class Simulation:
    def __init__(
        self,
        config: SimulationConfig,
        *,
        write: Callable[[list[tuple[Patient, Entry]]], list[str]],
        jobs: Callable[[datetime, datetime], dict],
        progress: Callable[[str], None] = logger.info,
    ):
        """`write` stores a tick's entries (one outcome each: "created"/"duplicate"/"refused"); `jobs(start, end)`
        runs the periodic jobs due in a tick, at its end."""
        self.config = config
        self.write = write
        self.jobs = jobs
        self.progress = progress
        self.stats = RunStats()
        self.profiles: list[Profile] = []
        self.patients: list[Patient] = []
        self.clinic_ids: list[int] = []
        self._definitions: dict[str, object] = {}
        self._starts: list[date] = []
        self._buckets: dict[int, list[Entry]] = defaultdict(list)

    # --- set-up --------------------------------------------------------------

    def setup(self) -> None:
        c = self.config
        t0 = time.monotonic()
        versions = protocol_versions_latest()
        self._definitions = {code: pv.definition for code, pv in versions.items()}
        care_of = {code: pv.protocol.care for code, pv in versions.items()}
        self.profiles = cohort_plan(patients=c.patients, days=c.days, seed=c.seed, care_of=care_of)
        with time_machine.travel(c.begins, tick=False):
            clinics = bulk.clinics_create(max(1, math.ceil(c.patients / PATIENTS_PER_CLINIC)), prefix=f"Sim {c.seed}")
            self.clinic_ids = [x.pk for x in clinics]
            per_clinic = max(1, math.ceil(min(c.patients, PATIENTS_PER_CLINIC) / PATIENTS_PER_PHYSIO))
            physios = bulk.staff_create(clinics, per_clinic=per_clinic, prefix=f"sim{c.seed}-physio")
            rows = []
            for p in self.profiles:
                clinic = clinics[p.index % len(clinics)]
                physio = physios[(p.index % len(clinics)) * per_clinic + (p.index // len(clinics)) % per_clinic]
                rows.append(bulk.PatientRow(clinic, physio, f"Sim {c.seed}-{p.index}", p.timezone, p.condition))
            self.patients = bulk.patients_create(rows)
            self._starts = [p.start_date(c.start) for p in self.profiles]
            bulk.enrollments_create(
                (patient, versions[p.protocol_code], start)
                for patient, p, start in zip(self.patients, self.profiles, self._starts, strict=True)
            )
            self._history_write()
        _statistics_refresh()
        self.stats.seconds["setup"] = time.monotonic() - t0

    def _history_write(self) -> None:
        """Bulk-store what patients who started before the span logged until it began."""
        history = []
        for p, patient, start in zip(self.profiles, self.patients, self._starts, strict=True):
            for day in range(0, -p.start_offset):
                for e in entries_for_day(p, self._definitions[p.protocol_code], start, day):
                    if e.at < self.config.begins:
                        if e.kind in HISTORY_KINDS:
                            history.append((patient, e.kind, e.data))
                    else:
                        self._enqueue(e)
        self.stats.history_rows = bulk.logs_copy(history, delay=timedelta(0))

    # --- the run -------------------------------------------------------------

    def _tick_of(self, at: datetime) -> int:
        return int((at - self.config.begins) / timedelta(hours=self.config.tick_hours))

    def _enqueue(self, e: Entry) -> None:
        if self.config.begins <= e.at < self.config.ends:
            self._buckets[self._tick_of(e.at)].append(e)

    def _generate_local_date(self, sim_day: int, shard: tuple[int, int] = (0, 1)) -> None:
        """Queue what the shard's patients send on their local date start + sim_day."""
        w, of = shard
        for p, start in zip(self.profiles[w::of], self._starts[w::of], strict=True):
            day = sim_day - p.start_offset
            for e in entries_for_day(p, self._definitions[p.protocol_code], start, day):
                self._enqueue(e)

    @property
    def _ticks(self) -> int:
        return self.config.days * (24 // self.config.tick_hours)

    def _tick_end(self, i: int) -> datetime:
        return self.config.begins + (i + 1) * timedelta(hours=self.config.tick_hours)

    def _write_tick(self, i: int, traveller, stats: RunStats, shard: tuple[int, int] = (0, 1)) -> None:
        w, of = shard
        ticks_per_day = 24 // self.config.tick_hours
        if i % ticks_per_day == 0:
            # Local dates run up to 14 hours ahead of UTC: queue tomorrow's entries today.
            self._generate_local_date(i // ticks_per_day + 1, shard)
        # History set-up queued every shard's entries; this shard writes its own.
        entries = sorted((e for e in self._buckets.pop(i, ()) if e.patient_index % of == w), key=lambda e: e.at)
        if not entries:
            return
        traveller.move_to(entries[-1].at)
        outcomes = self.write([(self.patients[e.patient_index], e) for e in entries])
        for e, outcome in zip(entries, outcomes, strict=True):
            (stats.logs_refused if outcome == "refused" else stats.logs_written)[e.kind] += 1

    def _jobs_tick(self, i: int, traveller) -> None:
        end = self._tick_end(i)
        traveller.move_to(end)
        began = time.monotonic()
        self.stats.jobs.update(_countable(self.jobs(end - timedelta(hours=self.config.tick_hours), end)))
        self.stats.seconds["periodic_jobs"] = self.stats.seconds.get("periodic_jobs", 0.0) + time.monotonic() - began
        if i % (24 // self.config.tick_hours) == 0 and (i // (24 // self.config.tick_hours)) % 10 == 0:
            self.progress(f"day {i // (24 // self.config.tick_hours)}/{self.config.days}")

    def run(self, *, workers: int = 1) -> RunStats:
        """Write every entry at its instant and run the jobs after each tick.

        With workers > 1, that many forked processes write the logs of their
        share of the patients, and this process runs each tick's jobs once
        every writer has finished that tick; writers start tick i+1 once those
        jobs are done, so no job sees a log from its future and the verdicts
        are the same as with one process.
        """
        t0 = time.monotonic()
        _commits_unsynchronised()
        if workers > 1:
            self._run_parallel(workers)
        else:
            with time_machine.travel(self.config.begins, tick=False) as traveller:
                self._generate_local_date(0)
                for i in range(self._ticks):
                    self._write_tick(i, traveller, self.stats)
                    self._jobs_tick(i, traveller)
        self.stats.seconds["run"] = time.monotonic() - t0
        return self.stats

    def _run_parallel(self, workers: int) -> None:
        ctx = multiprocessing.get_context("fork")
        done = ctx.Array("i", [-1] * workers)
        jobs_done = ctx.Value("i", -1, lock=False)
        results = ctx.Queue()
        connection.close()  # each process opens its own
        procs = [ctx.Process(target=self._writer, args=(w, workers, done, jobs_done, results)) for w in range(workers)]
        for proc in procs:
            proc.start()
        try:
            with time_machine.travel(self.config.begins, tick=False) as traveller:
                for i in range(self._ticks):
                    while min(done[:]) < i:
                        if any(not proc.is_alive() and proc.exitcode for proc in procs):
                            raise RuntimeError("a simulation writer died; see its traceback above")
                        time.sleep(0.002)
                    self._jobs_tick(i, traveller)
                    jobs_done.value = i
            for _ in procs:
                written, refused = results.get(timeout=60)
                self.stats.logs_written.update(written)
                self.stats.logs_refused.update(refused)
        finally:
            for proc in procs:
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.terminate()

    def _writer(self, w: int, of: int, done, jobs_done, results) -> None:
        stats = RunStats()
        try:
            _commits_unsynchronised()
            with time_machine.travel(self.config.begins, tick=False) as traveller:
                self._generate_local_date(0, (w, of))
                for i in range(self._ticks):
                    while jobs_done.value < i - 1:
                        time.sleep(0.002)
                    self._write_tick(i, traveller, stats, (w, of))
                    done[w] = i
            results.put((dict(stats.logs_written), dict(stats.logs_refused)))
        finally:
            connection.close()


def _statistics_refresh() -> None:
    """Let PostgreSQL's planner see the rows just copied in, as autovacuum would have in a database that grew.

    Without it the jobs' first days are planned for empty tables (nested loops
    over thousands of rows).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _commits_unsynchronised() -> None:
    """A simulated run need not wait for each commit to reach the disk (PostgreSQL's synchronous_commit).

    Session-only; it changes durability after a crash, never what a query sees.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")


def _countable(report: dict, prefix: str = "") -> Counter:
    """Flatten a job report ({"reminders": {"sent": 3}}) into counts ("reminders.sent": 3)."""
    out: Counter = Counter()
    for key, value in (report or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[name] += value
        elif isinstance(value, dict):
            out.update(_countable(value, f"{name}."))
        elif isinstance(value, list | tuple):
            out[name] += len(value)
    return out
