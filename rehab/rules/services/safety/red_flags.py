"""Section 5: a symptom report raises the alert of its tier, as soon as it arrives."""

from protocols.definition import TIER_RANK
from rehab.alerts.codes import RED_FLAG_ALERTS
from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.logs.models import SymptomReport
from rehab.rules.services.safety.context import SafetyContext

REASONS = {
    "emergency": "Possible emergency reported ({symptoms}): the patient was told to call emergency services.",
    "same_day": "Reported {symptoms}: the patient was told to contact the surgical team today.",
    "next_working_day": "Reported {symptoms}: the patient was told to tell the physiotherapist.",
}


def symptom_tier(ctx: SafetyContext, symptoms: list[str]) -> str:
    """The highest tier among the symptoms, by the patient's current protocol's table."""
    if ctx.enrollment is None:
        return "none"
    flags = ctx.enrollment.protocol_version.definition.red_flags
    return max((flags.tier_of(s) for s in symptoms), key=TIER_RANK.__getitem__, default="none")


def red_flag_check(ctx: SafetyContext, report: SymptomReport) -> Alert | None:
    # The report keeps the tier it was advised with; judge by that, so the
    # clinic sees what the patient was told.
    tier = report.tier or symptom_tier(ctx, report.symptoms)
    code = RED_FLAG_ALERTS.get(tier)
    if code is None:
        return None
    flags = ctx.enrollment.protocol_version.definition.red_flags if ctx.enrollment else None
    flagged = sorted(s for s in report.symptoms if flags is None or flags.tier_of(s) == tier)
    evidence = {
        "symptom_report": report.pk,
        "tier": tier,
        "symptoms": flagged,
        "reported_at": report.reported_at.isoformat(),
        "care": "post_surgical" if ctx.after_surgery else "conservative",
    }
    reason = REASONS[tier].format(symptoms=", ".join(s.replace("_", " ") for s in flagged))
    alert, _ = alert_raise(patient=ctx.patient, code=code, reason=reason, evidence=evidence)
    return alert
