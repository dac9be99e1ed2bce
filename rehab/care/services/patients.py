"""A clinic's patients: creating one with its first enrolment, and changing their record."""

from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum
from typing import Literal

from django.db import transaction

from config.errors import FieldErrors
from patients.models import Clinic, Patient, User
from patients.services.activation import activation_code_issue
from protocols.definition import ProtocolDefinition
from protocols.models import ProtocolVersion
from rehab.care.services.enrollment import enrollment_start


class PatientInvalid(FieldErrors):
    """What a clinician put on a record that must be corrected, per field."""


class _Default(Enum):
    CREATING_PHYSIO = "the physio creating the patient"


# patient_create's assigned_physio when the clinician names nobody (None names nobody on purpose).
CREATING_PHYSIO = _Default.CREATING_PHYSIO


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    by: User,
    display_name: str,
    timezone: str,
    side: str,
    condition: str,
    protocol_version: ProtocolVersion,
    start_date: date,
    assigned_physio: User | Literal[_Default.CREATING_PHYSIO] | None = CREATING_PHYSIO,
    comorbidities: Iterable[str] = (),
    biomechanics: Mapping[str, bool] | None = None,
    exercise_overrides: Iterable[Mapping] = (),
) -> tuple[Patient, str]:
    """A new patient on their first protocol, with an activation code for the app (returned in clear).

    A physio's new patient is theirs unless they name another physio, or None; a clinic admin's has
    nobody unless named.
    """
    if assigned_physio is CREATING_PHYSIO:
        assigned_physio = by if by.role == User.Role.PHYSIO else None
    exercise_overrides = list(exercise_overrides)
    patient_record_check(
        clinic=clinic,
        assigned_physio=assigned_physio,
        definition=protocol_version.definition,
        overrides=exercise_overrides,
    )
    patient = Patient.objects.create(
        clinic=clinic,
        display_name=display_name,
        timezone=timezone,
        side=side,
        condition=condition,
        assigned_physio=assigned_physio,
        comorbidities=sorted(set(comorbidities)),
        biomechanics=dict(biomechanics or {}),
        exercise_overrides=exercise_overrides,
    )
    enrollment_start(patient=patient, protocol_version=protocol_version, start_date=start_date, by=by)
    return patient, activation_code_issue(patient=patient, by=by)


def patient_record_check(
    *, clinic: Clinic, assigned_physio: User | None, definition: ProtocolDefinition | None, overrides: Iterable[Mapping]
) -> None:
    """What a clinician may put on a record (creating or changing it); PatientInvalid names each field refused."""
    errors: dict[str, list[str]] = {}
    if assigned_physio is not None and assigned_physio.clinic_id != clinic.pk:
        # Word for word what the API answers for an id nobody has: another clinic's sign-ins do not
        # exist for this one, and a different message would confirm that the id is someone's.
        errors["assigned_physio"] = [f'Invalid pk "{assigned_physio.pk}" - object does not exist.']
    elif assigned_physio is not None and not assigned_physio.is_clinician:
        errors["assigned_physio"] = ["Not a physiotherapist of this clinic."]
    if definition is not None:
        known = {e.code for e in definition.exercises}
        for index, override in enumerate(overrides):
            if override["exercise"] not in known:
                errors[f"exercise_overrides.{index}.exercise"] = [f"Not an exercise of {definition.code}."]
    codes = [o["exercise"] for o in overrides]
    if len(codes) != len(set(codes)):
        errors["exercise_overrides"] = ["Each exercise may be overridden once."]
    if errors:
        raise PatientInvalid(errors)
