"""The audit trail: who read or changed which patient's data, when, and from where."""

from collections.abc import Iterable

from config import clock
from patients.models import AuditEntry, User


def audit_record(
    *, actor: User, action: str, resource: str, patient_ids: Iterable[int], ip_address: str | None
) -> list[AuditEntry]:
    """One entry per patient whose data was shown or changed, so "who saw patient X" is one indexed query.

    A request that touched no patient (an empty list page) still leaves one entry without a patient:
    the attempt to look is itself worth keeping.
    """
    at = clock.now()
    ids = sorted(set(patient_ids)) or [None]
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor,
            clinic_id=actor.clinic_id,
            patient_id=pk,
            action=action,
            resource=resource[:200],
            at=at,
            ip_address=ip_address,
        )
        for pk in ids
    )
