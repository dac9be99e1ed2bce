"""Reminders to patients, stored as rows with a due time and swept by beat.

The planner writes the next 36 hours of reminders (one per patient, kind and
slot, however often it runs); the sender claims the due ones and pushes them
to each of the patient's phones. All times are the patient's local time,
outside their quiet hours.
"""

from rehab.reminders.services.planner import reminders_cancel_pending, reminders_plan, reminders_replan
from rehab.reminders.services.sender import reminders_send_due

__all__ = ["reminders_cancel_pending", "reminders_plan", "reminders_replan", "reminders_send_due"]
