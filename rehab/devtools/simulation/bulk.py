"""Bulk data: clinics, physios, patients, enrolments with milestones, and logs.

Rows are the ones the product's own services write (enrollment_start for
enrolments; the log services for logs), built with the same helpers and
streamed with COPY, so a benchmark over 100,000 enrolments sets up in seconds.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password

from config import clock
from patients.models import Clinic, Patient, User
from protocols.models import ProtocolVersion
from rehab.care.models import Enrollment, Milestone
from rehab.care.services.enrollment import milestone_rows
from rehab.devtools.simulation.copy import copy_instances
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, VisaAResponse
from rehab.logs.visa_a import visa_a_score


def clinics_create(count: int, *, prefix: str = "Clinic") -> list[Clinic]:
    clinics = [Clinic(name=f"{prefix} {i + 1}", admin_email=f"admin{i + 1}@clinic.example") for i in range(count)]
    copy_instances(clinics)
    return clinics


def staff_create(
    clinics: Sequence[Clinic], *, per_clinic: int, prefix: str, role: str = User.Role.PHYSIO, password: str = ""
) -> list[User]:
    """Staff users; one hashed password shared by all (hashing 1,000 passwords would dominate the set-up)."""
    hashed = make_password(password) if password else make_password(None)
    users = [
        User(
            username=f"{prefix}-{clinic.pk}-{n + 1}",
            display_name=f"{prefix.title()} {clinic.pk}-{n + 1}",
            role=role,
            clinic=clinic,
            password=hashed,
            date_joined=clock.now(),
        )
        for clinic in clinics
        for n in range(per_clinic)
    ]
    copy_instances(users)
    return users


@dataclass(frozen=True)
class PatientRow:
    clinic: Clinic
    physio: User | None
    display_name: str
    timezone: str
    condition: str
    comorbidities: tuple[str, ...] = ()


def patients_create(rows: Sequence[PatientRow]) -> list[Patient]:
    patients = [
        Patient(
            clinic=r.clinic,
            assigned_physio=r.physio,
            display_name=r.display_name,
            timezone=r.timezone,
            side=Patient.Side.RIGHT,
            condition=r.condition,
            comorbidities=list(r.comorbidities),
        )
        for r in rows
    ]
    copy_instances(patients)
    return patients


def enrollments_create(
    items: Iterable[tuple[Patient, ProtocolVersion, date]],
    *,
    as_of: datetime | None = None,
    decided_before: datetime | None = None,
) -> list[Enrollment]:
    """Enrol many new patients at once: the rows enrollment_start writes when called at `as_of` (default now).

    Patients must have no enrolment yet (bulk set-up, not moves). Milestones
    whose window closed before the patient's local today are skipped, as in
    enrollment_start. With `decided_before`, undecided milestones due before
    it are marked `done` instead, so a benchmark can pick exactly which
    reviews are due.
    """
    today_in: dict[str, date] = {}
    enrollments, milestones = [], []
    for patient, pv, start in items:
        enrollment = Enrollment(patient=patient, protocol_version=pv, start_date=start)
        enrollments.append(enrollment)
    copy_instances(enrollments)
    for enrollment in enrollments:
        patient, pv = enrollment.patient, enrollment.protocol_version
        tz = patient.timezone
        if tz not in today_in:
            today_in[tz] = clock.local_today(tz, at=as_of)
        milestones.extend(milestones_for(enrollment, pv, tz=tz, today=today_in[tz], decided_before=decided_before))
    copy_instances(milestones)
    return enrollments


def milestones_for(
    enrollment: Enrollment, pv: ProtocolVersion, *, tz: str, today: date, decided_before: datetime | None = None
) -> list[Milestone]:
    """enrollment_start's rows; those due before `decided_before` are already done (a history written in bulk)."""
    enrollment.protocol_version = pv
    rows = milestone_rows(enrollment, tz_name=tz, today=today)
    for row in rows:
        if decided_before is not None and row.status == Milestone.Status.PENDING and row.due_at < decided_before:
            row.status = Milestone.Status.DONE
    return rows


# --- Logs ----------------------------------------------------------------------


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def log_instance(patient: Patient, kind: str, data: dict, *, received_at: datetime):
    """The stored row for one log body in the API's shape (as the log service would store it)."""
    tz = patient.timezone
    common = {"patient": patient, "client_id": uuid.UUID(data["client_id"]), "received_at": received_at}
    if kind == "pain_logs":
        at = _instant(data["recorded_at"])
        return PainLog(
            **common,
            local_date=clock.local_date_of(at, tz),
            recorded_at=at,
            score=data["score"],
            context=data.get("context", PainLog.Context.REST),
            note=data.get("note", ""),
        )
    if kind == "exercise_logs":
        at = _instant(data["performed_at"])
        return ExerciseLog(
            **common,
            local_date=clock.local_date_of(at, tz),
            performed_at=at,
            exercise=data["exercise"],
            sets=data["sets"],
            reps=data["reps"],
            completed=data["completed"],
            pain_during=data.get("pain_during"),
        )
    if kind == "visa_a":
        at = _instant(data["completed_at"])
        items = {k: data[k] for k in ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8_branch", "q8")}
        return VisaAResponse(
            **common, local_date=clock.local_date_of(at, tz), completed_at=at, score=visa_a_score(items), **items
        )
    if kind == "medication_logs":
        taken_on = date.fromisoformat(data["taken_on"])
        return MedicationLog(
            **common,
            local_date=taken_on,
            taken_on=taken_on,
            kind=data["kind"],
            name=data.get("name", ""),
            route=data["route"],
            site=data.get("site", ""),
            indication=data.get("indication", ""),
        )
    raise ValueError(f"bulk history does not write {kind!r} logs")


def logs_copy(items: Iterable[tuple[Patient, str, dict]], *, delay: timedelta = timedelta(minutes=2)) -> int:
    """Store already-known history in bulk; each log received `delay` after it was made.

    No rule runs on these rows: they stand for data that arrived before the
    period being measured or simulated.
    """
    by_model: dict[type, list] = {}
    for patient, kind, data in items:
        made = data.get("recorded_at") or data.get("performed_at") or data.get("completed_at")
        received = _instant(made) + delay if made else clock.now()
        obj = log_instance(patient, kind, data, received_at=received)
        by_model.setdefault(type(obj), []).append(obj)
    return sum(copy_instances(objs) for objs in by_model.values())
