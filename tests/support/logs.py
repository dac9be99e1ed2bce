"""Stored logs for the job tests, made as the log services store them (local_date in the patient's zone)."""

import uuid
from datetime import date, datetime

from config import clock
from rehab.care.models import ClinicalEvent
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse
from rehab.rules.services.safety import clinical_event_recorded, log_received


def _base(patient, at: datetime) -> dict:
    return {
        "patient": patient,
        "client_id": uuid.uuid4(),
        "local_date": clock.local_date_of(at, patient.timezone),
        "received_at": clock.now(),
    }


def pain(patient, score: int, at: datetime, context: str = "rest", *, check: bool = True) -> PainLog:
    log = PainLog.objects.create(**_base(patient, at), recorded_at=at, score=score, context=context)
    if check:
        log_received(log)
    return log


def exercise(patient, at: datetime, *, pain_during=None, completed=True) -> ExerciseLog:
    log = ExerciseLog.objects.create(
        **_base(patient, at),
        performed_at=at,
        exercise="eccentric-heel-drop-straight-knee",
        sets=3,
        reps=15,
        completed=completed,
        pain_during=pain_during,
    )
    log_received(log)
    return log


def visa_a(patient, score: int, at: datetime) -> VisaAResponse:
    # Items are not judged here; the total is what the reviews read.
    items = {f"q{n}": 0 for n in range(1, 9)}
    log = VisaAResponse.objects.create(**_base(patient, at), completed_at=at, q8_branch="A", score=score, **items)
    log_received(log)
    return log


def symptoms(patient, at: datetime, codes: list[str], tier: str) -> SymptomReport:
    log = SymptomReport.objects.create(
        **_base(patient, at), reported_at=at, symptoms=codes, tier=tier, advice="as the table says"
    )
    log_received(log)
    return log


def medication(patient, on: date, kind: str = "nsaid", **fields) -> MedicationLog:
    fields.setdefault("route", "injection" if kind == "corticosteroid_injection" else "oral")
    at = clock.local_instant(on, datetime.min.time(), patient.timezone)
    log = MedicationLog.objects.create(**_base(patient, at), taken_on=on, kind=kind, **fields)
    log_received(log)
    return log


def clinical_event(patient, kind: str, on: date, **details) -> ClinicalEvent:
    event = ClinicalEvent.objects.create(patient=patient, kind=kind, date=on, details=details)
    clinical_event_recorded(event)
    return event
