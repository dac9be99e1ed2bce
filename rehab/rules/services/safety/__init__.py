"""Safety rules, red flags and exercise guardrails, run as each record arrives.

Called by the log services in the same transaction as the new record, so an
alert (and its outbox event) exists exactly when the log does; the clinic
hears about it after commit, not at the next sweep. One alert per cause: the
same cause again updates the open alert's evidence (rehab.services.alerts).
"""

from rehab.alerts.models import Alert
from rehab.care.models import ClinicalEvent
from rehab.care.selectors.enrollment import EnrollmentHistory
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport
from rehab.rules.services.safety.clinical import ho_referral_check
from rehab.rules.services.safety.context import SafetyContext
from rehab.rules.services.safety.medication import corticosteroid_check, nsaid_checks
from rehab.rules.services.safety.pain import (
    PainEntry,
    PainReach,
    exercise_pain_check,
    morning_pain_check,
    pain_spike_check,
    recent_pain,
    recent_pain_around,
)
from rehab.rules.services.safety.red_flags import red_flag_check

__all__ = ["PainReach", "clinical_event_recorded", "log_received", "recent_pain"]


def log_received(
    log, *, history: EnrollmentHistory | None = None, recent: list[PainEntry] | None = None
) -> list[Alert]:
    """Run the rules that a newly stored patient log can break; returns alerts raised or updated.

    `recent`: the patient's pain entries around a pain log (rehab.services.safety.pain.recent_pain),
    when the caller read them for a whole batch; read here otherwise.
    """
    ctx = SafetyContext.for_patient(log.patient, history=history)
    if isinstance(log, SymptomReport):
        found = [red_flag_check(ctx, log)]
    elif isinstance(log, MedicationLog):
        found = [corticosteroid_check(ctx, log), *nsaid_checks(ctx, log)]
    elif isinstance(log, PainLog):
        recent = recent_pain_around(ctx, log) if recent is None else recent
        found = [pain_spike_check(ctx, log, recent), morning_pain_check(ctx, log, recent)]
    elif isinstance(log, ExerciseLog):
        found = [exercise_pain_check(ctx, log)]
    else:
        found = []  # a VISA-A response breaks no arrival rule; the reviews read it
    return [alert for alert in found if alert is not None]


def clinical_event_recorded(event: ClinicalEvent) -> list[Alert]:
    """Run the rules that a clinician's recorded or planned event can break."""
    ctx = SafetyContext.for_patient(event.patient)
    found = [corticosteroid_check(ctx, event), ho_referral_check(ctx, event)]
    return [alert for alert in found if alert is not None]
