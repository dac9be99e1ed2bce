"""Safety rules, red flags and exercise guardrails, run as each record arrives.

Called by the log services in the same transaction as the new record, so an
alert (and its outbox event) exists exactly when the log does.
"""

from rehab.models import Alert


def log_received(log) -> list[Alert]:
    """Run the rules that a newly stored patient log can break; returns alerts raised or updated."""
    return []


def clinical_event_recorded(event) -> list[Alert]:
    """Run the rules that a clinician's recorded or planned event can break."""
    return []
