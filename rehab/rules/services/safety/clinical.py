"""Section 3: resection of immature heterotopic ossification recurs."""

from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import ClinicalEvent
from rehab.rules.services.safety.context import SafetyContext

HO = "achilles_heterotopic_ossification"


def ho_referral_check(ctx: SafetyContext, event: ClinicalEvent) -> Alert | None:
    """A surgical referral for HO needs a recorded `mature` bone scan on or before it."""
    if event.kind != ClinicalEvent.Kind.SURGICAL_REFERRAL:
        return None
    if ctx.patient.condition != HO and not ctx.rule("ho_referral_requires_mature_bone_scan", False):
        return None
    scans = ClinicalEvent.objects.filter(patient=ctx.patient, kind=ClinicalEvent.Kind.IMAGING, date__lte=event.date)
    if scans.filter(details__modality="bone_scan", details__ho_maturity="mature").exists():
        return None
    last_scan = scans.filter(details__modality="bone_scan").order_by("-date").first()
    evidence = {
        "surgical_referral": event.pk,
        "referral_date": event.date.isoformat(),
        "last_bone_scan": None
        if last_scan is None
        else {"date": last_scan.date.isoformat(), "ho_maturity": last_scan.details.get("ho_maturity")},
    }
    reason = (
        f"A surgical referral dated {event.date.isoformat()} for heterotopic ossification without a recorded "
        "mature bone scan: resection before maturity tends to recur."
    )
    alert, _ = alert_raise(patient=ctx.patient, code="ho_referral_without_maturity", reason=reason, evidence=evidence)
    return alert
