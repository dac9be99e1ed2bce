"""Safety rules, red flags and exercise guardrails, run as each record arrives.

Called by the log services in the same transaction as the new record, so an
alert (and its outbox event) exists exactly when the log does; the clinic
hears about it after commit, not at the next sweep. One alert per cause: the
same cause again updates the open alert's evidence (rehab.services.alerts).

`arrival_raises` tells, before a record is stored, whether storing it would
raise anything: the log service stores an entry that raises nothing with one
statement and no transaction, and one that raises something with its alerts
in one transaction, judged again there (rehab.intake.services).
"""

from rehab.alerts.models import Alert
from rehab.care.models import ClinicalEvent
from rehab.care.selectors.enrollment import EnrollmentHistory
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport
from rehab.logs.selectors import PainWindow
from rehab.rules.services.safety.clinical import ho_referral_check
from rehab.rules.services.safety.context import SafetyContext
from rehab.rules.services.safety.medication import corticosteroid_check, nsaid_checks
from rehab.rules.services.safety.pain import exercise_pain_finding, pain_findings, pain_windows_of
from rehab.rules.services.safety.red_flags import red_flag_check

__all__ = ["arrival_raises", "clinical_event_recorded", "log_received", "pain_windows_of"]


def log_received(log, *, ctx: SafetyContext | None = None, window: PainWindow | None = None) -> list[Alert]:
    """Run the rules that a newly stored patient log can break; returns alerts raised or updated.

    `ctx` and `window`: the patient's context and the pain rules' answer for a stored pain log
    (pain_windows_of), when the caller worked them out for a whole batch; worked out here otherwise.
    """
    ctx = ctx or SafetyContext.for_patient(log.patient)
    if isinstance(log, SymptomReport):
        found = [red_flag_check(ctx, log)]
    elif isinstance(log, MedicationLog):
        found = [corticosteroid_check(ctx, log), *nsaid_checks(ctx, log)]
    elif isinstance(log, PainLog):
        [window] = pain_windows_of([(ctx, log)]) if window is None else [window]
        found = [finding.raise_alert(ctx) for finding in pain_findings(ctx, log, window)]
    elif isinstance(log, ExerciseLog):
        finding = exercise_pain_finding(ctx, log)
        found = [None if finding is None else finding.raise_alert(ctx)]
    else:
        found = []  # a VISA-A response breaks no arrival rule; the reviews read it
    return [alert for alert in found if alert is not None]


def arrival_raises(log, *, history: EnrollmentHistory) -> bool | None:
    """Would storing this log (not stored yet) raise an alert? None when only its stored self can tell.

    Pain and exercise logs are judged from the log and what is already stored (one read for a pain log);
    the other kinds' rules read around the stored record, so they are always run where it is stored.
    """
    ctx = SafetyContext.for_patient(log.patient, history=history)
    if isinstance(log, PainLog):
        [window] = pain_windows_of([(ctx, log)], stored=False)
        return bool(pain_findings(ctx, log, window))
    if isinstance(log, ExerciseLog):
        return exercise_pain_finding(ctx, log) is not None
    return None


def clinical_event_recorded(event: ClinicalEvent) -> list[Alert]:
    """Run the rules that a clinician's recorded or planned event can break."""
    ctx = SafetyContext.for_patient(event.patient)
    found = [corticosteroid_check(ctx, event), ho_referral_check(ctx, event)]
    return [alert for alert in found if alert is not None]
