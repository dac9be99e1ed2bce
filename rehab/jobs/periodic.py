"""Every periodic job once, in the order a day of beat would run them, as of one instant."""

from datetime import datetime

from config import clock
from rehab.alerts.services.alerts import alerts_escalate_due
from rehab.alerts.services.delivery import delivery_sweep
from rehab.exchange.services.bulk import bulk_exports_sweep
from rehab.reminders.services import reminders_plan, reminders_send_due
from rehab.rules.services.engagement import no_recent_logs_raise
from rehab.rules.services.review_sweep import milestones_judge_due, milestones_open_due


def periodic_run(*, now: datetime | None = None) -> dict:
    """Run each job synchronously; returns what each did (the same services the Celery tasks call)."""
    now = now or clock.now()
    return {
        "now": now.isoformat(),
        "open_reviews": {"opened": milestones_open_due(now=now)},
        "judge_due_milestones": milestones_judge_due(now=now),
        "raise_engagement_alerts": {"no_recent_logs": no_recent_logs_raise(now=now)},
        "escalate_overdue_alerts": {"escalated": len(alerts_escalate_due(now=now))},
        "plan_reminders": reminders_plan(now=now),
        "send_reminders_due": reminders_send_due(now=now),
        "deliver_pending": delivery_sweep(now=now),
        "bulk_exports_sweep": bulk_exports_sweep(now=now),
    }
