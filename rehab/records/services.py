"""Changing a patient's record: the clinician's edits and discharge, the patient's own profile.

Both may move the patient's schedule (a new zone, a discharge), so they sit above the reminders.
"""

from collections.abc import Mapping

from django.db import transaction

from config import clock
from config.errors import NotAllowed
from patients.models import Clinic, Patient, User
from patients.services.sessions import sessions_end
from protocols.selectors import protocol_version_latest
from rehab.care.models import Enrollment
from rehab.care.services.enrollment import patient_schedule_refresh
from rehab.care.services.patients import PatientInvalid, patient_create, patient_record_check
from rehab.reminders.services import reminders_cancel_pending, reminders_replan


class ProfileForbidden(NotAllowed):
    """The field exists, but not for this role (staff have no time zone or quiet hours)."""


PATIENT_ONLY_FIELDS = ("timezone", "quiet_hours")


@transaction.atomic
def me_update(*, user: User, data: dict) -> None:
    """A sign-in changes its own profile: anyone their display name, a patient their zone and quiet hours.

    A patient's display name is how the app addresses them; the clinic's own
    label for the patient (Patient.display_name) is not theirs to change.
    """
    is_patient = user.role == User.Role.PATIENT
    if not is_patient and any(name in data for name in PATIENT_ONLY_FIELDS):
        raise ProfileForbidden("Only a patient has a time zone and quiet hours here.")
    if "display_name" in data:
        user.display_name = data["display_name"]
        user.save(update_fields=["display_name"])
    if not is_patient:
        return
    patient = Patient.objects.select_for_update().get(user=user)
    changed = []
    if "timezone" in data:
        patient.timezone = data["timezone"]
        changed.append("timezone")
    if "quiet_hours" in data:
        patient.quiet_hours_start = data["quiet_hours"]["start"]
        patient.quiet_hours_end = data["quiet_hours"]["end"]
        changed += ["quiet_hours_start", "quiet_hours_end"]
    if changed:
        patient.save(update_fields=changed)
        patient_schedule_refresh(patient=patient)
        reminders_replan(patient=patient)


def patient_register(*, clinic: Clinic, by: User, protocol: str, **fields) -> tuple[Patient, str]:
    """A new patient on the latest version of the protocol named by code (POST /patients/, the dashboard's form).

    `fields` are patient_create's; returns the patient and their activation code in clear.
    """
    version = protocol_version_latest(protocol)
    if version is None:
        raise PatientInvalid.on("protocol", "No such protocol.")
    return patient_create(clinic=clinic, by=by, protocol_version=version, **fields)


UPDATABLE = (
    "display_name",
    "timezone",
    "assigned_physio",
    "comorbidities",
    "biomechanics",
    "exercise_overrides",
    "status",
)


@transaction.atomic
def patient_update(*, patient: Patient, by: User, data: Mapping) -> Patient:
    """Change what a clinician may change.

    Discharging stops every reminder not yet sent and ends the patient's sessions: tokens issued
    during care stop working, and the patient signs in again to read their history.
    """
    unknown = sorted(set(data) - set(UPDATABLE))
    if unknown:
        raise PatientInvalid({name: ["This field cannot be changed here."] for name in unknown})
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    definition = None
    if "exercise_overrides" in data:
        latest = Enrollment.objects.filter(patient=patient).select_related("protocol_version").order_by("-start_date")
        enrollment = latest.first()
        definition = None if enrollment is None else enrollment.protocol_version.definition
    patient_record_check(
        clinic=patient.clinic,
        assigned_physio=data.get("assigned_physio"),
        definition=definition,
        overrides=data.get("exercise_overrides", ()),
    )
    for name, value in data.items():
        if name == "comorbidities":
            value = sorted(set(value))
        setattr(patient, name, value)
    if data.get("status") == Patient.Status.DISCHARGED and patient.discharged_at is None:
        patient.discharged_at = clock.now()
        reminders_cancel_pending(patient=patient)
        if patient.user is not None:
            sessions_end(user=patient.user)
    elif data.get("status") == Patient.Status.ACTIVE:
        patient.discharged_at = None
    zone_moved = "timezone" in data and data["timezone"] != Patient.objects.values_list("timezone", flat=True).get(
        pk=patient.pk
    )
    patient.save()
    if zone_moved:
        patient_schedule_refresh(patient=patient)
        reminders_replan(patient=patient)
    return patient
