"""Celery tasks: doors, not rooms. Each calls one service; its policy is in the decorator.

Every task here is a sweep that claims its rows, so running it twice, on two
workers, or again after a worker died is harmless: acks_late lets the broker
hand a killed worker's task to another. Routing (urgent/bulk queues) is in
settings.CELERY_TASK_ROUTES; the beat schedule in settings.CELERY_BEAT_SCHEDULE.
"""

from celery import shared_task
from django.db import DatabaseError

from config import clock
from rehab.alerts.services.alerts import alerts_escalate_due
from rehab.alerts.services.delivery import delivery_sweep
from rehab.exchange.services.bulk import bulk_export_run as bulk_export_write
from rehab.exchange.services.bulk import bulk_exports_sweep as bulk_exports_tidy
from rehab.reminders.services import reminders_plan, reminders_send_due
from rehab.rules.services.engagement import no_recent_logs_raise
from rehab.rules.services.review_sweep import milestones_judge_due, milestones_open_due

SWEEP = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "max_retries": 3,
}


@shared_task(name="rehab.tasks.deliver_pending", soft_time_limit=240, time_limit=300, **SWEEP)
def deliver_pending() -> dict:
    return delivery_sweep()


@shared_task(name="rehab.tasks.escalate_overdue_alerts", soft_time_limit=50, time_limit=60, **SWEEP)
def escalate_overdue_alerts() -> int:
    # The escalated events go out through deliver_pending, kicked after commit.
    return len(alerts_escalate_due(now=clock.now()))


@shared_task(name="rehab.tasks.send_reminders_due", soft_time_limit=240, time_limit=300, **SWEEP)
def send_reminders_due() -> dict:
    return reminders_send_due()


@shared_task(name="rehab.tasks.plan_reminders", soft_time_limit=1500, time_limit=1800, **SWEEP)
def plan_reminders() -> dict:
    return reminders_plan()


@shared_task(name="rehab.tasks.judge_due_milestones", soft_time_limit=1500, time_limit=1800, **SWEEP)
def judge_due_milestones() -> dict:
    now = clock.now()
    return {"opened": milestones_open_due(now=now), **milestones_judge_due(now=now)}


@shared_task(name="rehab.tasks.raise_engagement_alerts", soft_time_limit=1500, time_limit=1800, **SWEEP)
def raise_engagement_alerts() -> int:
    return no_recent_logs_raise()


# Not a sweep: one clinic's export, claimed by the export row itself (a second delivery of the task
# finds it claimed). Long: a large clinic takes minutes; the sweep below starts it again if it died.
@shared_task(
    name="rehab.tasks.bulk_export_run", soft_time_limit=3300, time_limit=3600, acks_late=True, ignore_result=True
)
def bulk_export_run(export_id: str) -> str:
    return bulk_export_write(export_id=export_id)


@shared_task(name="rehab.tasks.bulk_exports_sweep", soft_time_limit=1500, time_limit=1800, **SWEEP)
def bulk_exports_sweep() -> dict:
    return bulk_exports_tidy()
