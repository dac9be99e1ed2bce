"""Celery beat's schedule (CELERY_BEAT_SCHEDULE): the sweeps, reminders and reviews, and when each runs.

Kept apart from base.py only for its length; base.py imports it, so every setting has it.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # The sweeps are idempotent and claim their rows; `expires` drops a run that
    # waited so long the next one is already due.
    "deliver-outbox": {
        "task": "rehab.tasks.deliver_pending",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "escalate-alerts": {
        "task": "rehab.tasks.escalate_overdue_alerts",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "send-due-reminders": {
        "task": "rehab.tasks.send_reminders_due",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "plan-reminders": {
        "task": "rehab.tasks.plan_reminders",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    "judge-milestones": {
        "task": "rehab.tasks.judge_due_milestones",
        "schedule": crontab(minute=15),
        "options": {"expires": 3000},
    },
    "engagement-sweep": {
        "task": "rehab.tasks.raise_engagement_alerts",
        "schedule": crontab(minute=30, hour="*/6"),
        "options": {"expires": 3000},
    },
    "bulk-exports-sweep": {
        "task": "rehab.tasks.bulk_exports_sweep",
        "schedule": crontab(minute=45),
        "options": {"expires": 3000},
    },
}
