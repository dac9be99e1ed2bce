"""A clinic's patients: creating one with its first enrolment, and changing their record."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction

from config import clock
from patients.models import Clinic, Patient, User
from patients.services import activation_code_issue
from protocols.definition import ProtocolDefinition
from protocols.models import ProtocolVersion
from rehab.models import Enrollment, Reminder
from rehab.services.enrollment import enrollment_start, patient_schedule_refresh

UPDATABLE = (
    "display_name",
    "timezone",
    "assigned_physio",
    "comorbidities",
    "biomechanics",
    "exercise_overrides",
    "status",
)


class PatientInvalid(ValueError):
    """Field errors a clinician must correct: {"field": ["message", ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


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
    assigned_physio: User | None = None,
    comorbidities: Iterable[str] = (),
    biomechanics: Mapping[str, bool] | None = None,
    exercise_overrides: Iterable[Mapping] = (),
) -> tuple[Patient, str]:
    """A new patient on their first protocol, with an activation code for the app (returned in clear)."""
    exercise_overrides = list(exercise_overrides)
    _check(clinic=clinic, assigned_physio=assigned_physio, spec=protocol_version.spec, overrides=exercise_overrides)
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


@transaction.atomic
def patient_update(*, patient: Patient, by: User, data: Mapping) -> Patient:
    """Change what a clinician may change. Discharging stops every reminder not yet sent."""
    unknown = sorted(set(data) - set(UPDATABLE))
    if unknown:
        raise PatientInvalid({name: ["This field cannot be changed here."] for name in unknown})
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    spec = None
    if "exercise_overrides" in data:
        latest = Enrollment.objects.filter(patient=patient).select_related("protocol_version").order_by("-start_date")
        enrollment = latest.first()
        spec = None if enrollment is None else enrollment.protocol_version.spec
    _check(
        clinic=patient.clinic,
        assigned_physio=data.get("assigned_physio"),
        spec=spec,
        overrides=data.get("exercise_overrides", ()),
    )
    for name, value in data.items():
        if name == "comorbidities":
            value = sorted(set(value))
        setattr(patient, name, value)
    if data.get("status") == Patient.Status.DISCHARGED and patient.discharged_at is None:
        patient.discharged_at = clock.now()
        # The planner skips discharged patients; what it already planned is cancelled here.
        Reminder.objects.filter(patient=patient, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.CANCELLED
        )
    elif data.get("status") == Patient.Status.ACTIVE:
        patient.discharged_at = None
    zone_moved = "timezone" in data and data["timezone"] != Patient.objects.values_list("timezone", flat=True).get(
        pk=patient.pk
    )
    patient.save()
    if zone_moved:
        patient_schedule_refresh(patient=patient)
    return patient


def _check(
    *, clinic: Clinic, assigned_physio: User | None, spec: ProtocolDefinition | None, overrides: Iterable[Mapping]
) -> None:
    errors: dict[str, list[str]] = {}
    if assigned_physio is not None and (assigned_physio.clinic_id != clinic.pk or not assigned_physio.is_clinician):
        errors["assigned_physio"] = ["Not a physiotherapist of this clinic."]
    if spec is not None:
        known = {e.code for e in spec.exercises}
        for index, override in enumerate(overrides):
            if override["exercise"] not in known:
                errors[f"exercise_overrides.{index}.exercise"] = [f"Not an exercise of {spec.code}."]
    codes = [o["exercise"] for o in overrides]
    if len(codes) != len(set(codes)):
        errors["exercise_overrides"] = ["Each exercise may be overridden once."]
    if errors:
        raise PatientInvalid(errors)
