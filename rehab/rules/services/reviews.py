"""Milestone reviews: a physio's recorded outcome, and the referral it raises.

The automatic sweep (rehab.services.review_sweep) judges the reviews nobody
decided in time; both paths raise the referral through `review_referral_raise`,
so a physio's `not_met` and the backend's are the same alert.
"""

from django.db import transaction

from config import clock
from config.errors import Conflict, FieldErrors
from patients.models import User
from protocols.definition import MilestoneDefinition
from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import Milestone

PHYSIO_OUTCOMES = (Milestone.Status.MET, Milestone.Status.NOT_MET, Milestone.Status.BRIDGE)


class MilestoneConflict(Conflict):
    """The milestone cannot take an outcome now (not a review, window not open, cancelled)."""


class OutcomeNoteRequired(FieldErrors):
    """Overriding an outcome already decided needs a reason, in `note`."""


def milestone_definition(milestone: Milestone) -> MilestoneDefinition:
    return milestone.enrollment.protocol_version.definition.milestone(milestone.code)


def milestone_outcome_record(*, milestone: Milestone, outcome: str, note: str = "", by: User) -> Milestone:
    """A physio records a review's outcome, or overrides one already decided (then with a note).

    `not_met` raises the referral exactly as the automatic review would.
    """
    if outcome not in PHYSIO_OUTCOMES:
        raise ValueError(f"Unknown outcome {outcome!r}.")
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().select_related("enrollment__patient").get(pk=milestone.pk)
        _check_open_for_outcome(milestone)
        if milestone.is_decided and milestone.status != Milestone.Status.SKIPPED and not note.strip():
            raise OutcomeNoteRequired.on("note", "Overriding an outcome already recorded needs a note.")
        now = clock.now()
        milestone.status, milestone.decided_at, milestone.decided_by, milestone.note = outcome, now, by, note
        milestone.evidence = {**milestone.evidence, "recorded_by_physio": True}
        milestone.save(update_fields=["status", "decided_at", "decided_by", "note", "evidence"])
        if outcome == Milestone.Status.NOT_MET:
            review_referral_raise(milestone=milestone, evidence={"outcome": outcome, "decided_by": by.pk})
    return milestone


def _check_open_for_outcome(milestone: Milestone) -> None:
    if milestone.kind != "review":
        raise MilestoneConflict(f"{milestone.code} is not a review; it takes no outcome.")
    if milestone.status == Milestone.Status.CANCELLED:
        raise MilestoneConflict(f"{milestone.code} belongs to an enrolment that ended.")
    patient = milestone.enrollment.patient
    if clock.local_today(patient.timezone) < milestone.window_start:
        raise MilestoneConflict(f"{milestone.code} opens on {milestone.window_start.isoformat()}.")


def review_referral_raise(*, milestone: Milestone, evidence: dict) -> Alert:
    """The review's referral alert (its definition's `alert`): one per milestone, whoever decided."""
    defined = milestone_definition(milestone)
    code = defined.alert or "review_not_improved"
    verdict = "not recovered" if defined.judge == "recovery" else "not improved"
    reason = f"{milestone.name}: {verdict}. Refer to {defined.referral_to or 'a specialist'}."
    alert, _ = alert_raise(
        patient=milestone.enrollment.patient, code=code, reason=reason, evidence=evidence, milestone=milestone
    )
    return alert


def review_not_judgeable_raise(*, milestone: Milestone, evidence: dict) -> Alert:
    reason = f"{milestone.name}: too little logged to judge; follow up with the patient."
    alert, _ = alert_raise(
        patient=milestone.enrollment.patient,
        code="review_not_judgeable",
        reason=reason,
        evidence=evidence,
        milestone=milestone,
    )
    return alert
