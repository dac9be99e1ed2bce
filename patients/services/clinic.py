"""A clinic admin's settings of the clinic itself (its time zone)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from config.errors import FieldErrors, NotAllowed
from patients.models import Clinic, User, validate_timezone
from patients.services.audit import audit_record


class ClinicSettingsInvalid(FieldErrors):
    """A clinic setting refused, per field."""


@transaction.atomic
def clinic_time_zone_set(*, clinic: Clinic, time_zone: str, by: User, ip_address: str | None) -> Clinic:
    """The zone the clinic's pages show instants in (and its billing months); an IANA name."""
    if by.role != User.Role.CLINIC_ADMIN or by.clinic_id != clinic.pk:
        raise NotAllowed("Only a clinic admin of this clinic may do this.")
    try:
        validate_timezone(time_zone)
    except ValidationError as exc:
        raise ClinicSettingsInvalid({"time_zone": list(exc.messages)}) from exc
    Clinic.objects.filter(pk=clinic.pk).update(time_zone=time_zone)
    clinic.time_zone = time_zone
    audit_record(
        actor=by, action="update", resource=f"clinic:{clinic.pk} time_zone", patient_ids=(), ip_address=ip_address
    )
    return clinic
