"""Reading a sign-in's profile (GET /api/v1/me/)."""

from config import clock
from patients.models import Patient, User
from protocols.timeline import day_of
from rehab.care.selectors.enrollment import enrollment_current


def me_profile(user: User) -> dict:
    """The contract's /me/ shape; patient-only parts are null for staff."""
    clinic = user.clinic
    profile = {
        "id": user.pk,
        "display_name": user.display_name or user.username,
        "role": user.role,
        "clinic": None if clinic is None else {"id": clinic.pk, "name": clinic.name},
        "patient_id": None,
        "timezone": None,
        "quiet_hours": None,
        "enrollment": None,
    }
    patient = _patient_of(user)
    if patient is None:
        return profile
    today = clock.local_today(patient.timezone)
    enrollment = enrollment_current(patient, on=today)
    profile.update(
        patient_id=patient.pk,
        display_name=user.display_name or patient.display_name,
        clinic={"id": patient.clinic_id, "name": patient.clinic.name},
        timezone=patient.timezone,
        quiet_hours={
            "start": patient.quiet_hours_start.strftime("%H:%M"),
            "end": patient.quiet_hours_end.strftime("%H:%M"),
        },
        enrollment=None
        if enrollment is None
        else {
            "protocol": enrollment.protocol_version.protocol.code,
            "start_date": enrollment.start_date,
            "day": day_of(enrollment.start_date, today),
        },
    )
    return profile


def _patient_of(user: User) -> Patient | None:
    if user.role != User.Role.PATIENT:
        return None
    try:
        return user.patient
    except Patient.DoesNotExist:
        return None
