"""The red-flag table the app caches, to advise while offline."""

from protocols.definition import SYMPTOMS
from protocols.models import Protocol, ProtocolVersion
from rehab.care.selectors.enrollment import enrollment_current

CARES = (Protocol.Care.POST_SURGICAL, Protocol.Care.CONSERVATIVE)


def red_flag_table(*, patient=None) -> dict:
    """Rows {symptom, care, tier, advice} for both cares, and the care that applies to the patient now.

    The patient's own care reads their own protocol version (the table they
    were advised from); the other care, and every care for staff, reads the
    latest published version of that care.
    """
    enrollment = enrollment_current(patient) if patient is not None else None
    own = enrollment.protocol_version if enrollment is not None else None
    own_care = own.protocol.care if own is not None else None
    rows = []
    for care in CARES:
        version = own if care == own_care else _latest_of(care)
        if version is None:
            continue
        flags = version.definition.red_flags
        for symptom in SYMPTOMS:
            tier = flags.tier_of(symptom)
            rows.append({"symptom": symptom, "care": care, "tier": tier, "advice": flags.advice[tier]})
    current = None
    if patient is not None:
        current = Protocol.Care.POST_SURGICAL if own_care == Protocol.Care.POST_SURGICAL else Protocol.Care.CONSERVATIVE
    return {"care": current, "rows": rows}


def _latest_of(care: str) -> ProtocolVersion | None:
    return (
        ProtocolVersion.objects.select_related("protocol")
        .filter(protocol__care=care)
        .order_by("-published_at", "-id")
        .first()
    )
