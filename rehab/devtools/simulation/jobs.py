"""How the simulator writes a patient's entry and runs the periodic jobs: the product's own doors."""

import logging
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery import current_app
from celery.schedules import crontab
from django.conf import settings

from patients.models import Patient
from rehab.devtools.simulation.trajectory import Entry
from rehab.intake.api.bodies import log_bodies_store
from rehab.intake.services import CONFLICT, INVALID

logger = logging.getLogger(__name__)


def entries_write(entries: list[tuple[Patient, Entry]]) -> list[str]:
    """A tick's entries, stored as POST /api/v1/me/sync/ stores them (rehab.api.patient.intake).

    One outcome per entry: "created", "duplicate" or "refused".
    """
    outcomes = log_bodies_store([(patient, entry.kind, entry.data) for patient, entry in entries])
    for (patient, entry), outcome in zip(entries, outcomes, strict=True):
        if outcome.status in (INVALID, CONFLICT):
            logger.warning("refused %s for patient %s: %s", entry.kind, patient.pk, outcome.errors or "conflict")
    return ["refused" if o.status in (INVALID, CONFLICT) else o.status for o in outcomes]


def beat_jobs(*, plan_every_hours: int = 24):
    """The jobs of settings.CELERY_BEAT_SCHEDULE, each run (once) in a tick where its crontab falls due.

    Tasks run in-process through their Celery task objects (the code beat's
    worker runs), in the order their first due minute comes. One deliberate
    difference, for speed: the reminder planner writes the next 36 hours, so
    running it every `plan_every_hours` (at most 24) plans exactly the same
    rows as beat's hourly run (one row per slot, whoever plans it first).
    """
    if not 1 <= plan_every_hours <= 24:
        raise ValueError("plan_every_hours must be 1 to 24: the planner looks 36 hours ahead")
    current_app.loader.import_default_modules()  # registers the tasks, as a worker does at start

    def run(start: datetime, end: datetime) -> dict:
        due = []
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            first = _first_due(entry["schedule"], start, end)
            if first is None:
                continue
            if entry["task"] == PLANNER_TASK and start.hour % plan_every_hours:
                continue
            due.append((first, name, entry["task"]))
        report = {}
        for _, name, task_name in sorted(due):
            began = time.monotonic()
            result = current_app.tasks[task_name]()
            report[name] = {**(result if isinstance(result, dict) else {"count": result}), "runs": 1}
            report[name]["seconds"] = time.monotonic() - began
        return report

    return run


PLANNER_TASK = "rehab.tasks.plan_reminders"


def _first_due(schedule: crontab, start: datetime, end: datetime) -> datetime | None:
    """The first minute in [start, end) (UTC) that the crontab matches."""
    at = start.replace(second=0, microsecond=0)
    while at < end:
        if (
            at.minute in schedule.minute
            and at.hour in schedule.hour
            and at.day in schedule.day_of_month
            and at.month in schedule.month_of_year
            and at.isoweekday() % 7 in schedule.day_of_week
        ):
            return at
        at += timedelta(minutes=1)
    return None


@contextmanager
def tasks_run_in_process():
    """Celery tasks queued during the run (the delivery kick after an alert's commit) run here, at once.

    A simulated alert is then delivered as a worker would deliver it, at the
    simulated instant, and nothing is left queued on the real broker.
    """
    app = current_app
    before = app.conf.task_always_eager
    trace_log = logging.getLogger("celery.app.trace")  # one INFO line per task run: thousands in a simulation
    level = trace_log.level
    app.conf.task_always_eager = True
    trace_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager = before
        trace_log.setLevel(level)
