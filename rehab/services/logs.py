"""Storing what a patient logs from the phone, exactly once.

One function takes one item, whether it came alone (POST /me/pain-logs/) or
in a batch from a phone that was offline (POST /me/sync/). `client_id` is
unique per patient and kind: the same id with the same content is the same
entry (a retry) and stores nothing; with other content it is a conflict.
Content is compared after normalisation: instants as instants, omitted fields
as their defaults (the input serializers fill them in).

Entries are dated by their own time in the patient's zone, not by arrival,
so a pain score typed offline three days ago counts for that day.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, models, transaction

from config import clock
from patients.models import Patient
from patients.services import FieldErrors
from protocols.definition import TIER_RANK
from rehab import visa_a
from rehab.log_kinds import KINDS, LogKind
from rehab.models import ExerciseLog, MedicationLog, SymptomReport, VisaAResponse
from rehab.selectors.enrollment import EnrollmentHistory
from rehab.services import safety

FUTURE_TOLERANCE = timedelta(minutes=5)  # phones' clocks drift
MEDICATION_LOOKBACK_MONTHS = 12  # an injection before enrolment still matters


CREATED = "created"
DUPLICATE = "duplicate"


class LogInvalid(FieldErrors):
    """The entry breaks a rule the schema cannot express (a future time, an unknown exercise...)."""


class LogConflict(Exception):
    """The client_id was already used for this kind with other content."""

    def __init__(self, stored: models.Model):
        super().__init__(f"client_id {stored.client_id} was already used with other content")
        self.stored = stored


def log_record(*, patient: Patient, kind: str, data: dict) -> tuple[models.Model, str]:
    """Store one entry; returns (record, "created" | "duplicate"). Raises LogInvalid or LogConflict.

    Safe under concurrency: two identical requests at once meet at the unique
    constraint, and the loser answers as a replay of the winner.
    """
    spec = KINDS[kind]
    history = EnrollmentHistory.of(patient)
    try:
        fields = _checked_fields(spec, patient, history, data)
    except LogInvalid:
        # A retry of an entry stored earlier is still that entry, even if a rule
        # would now refuse it (a later enrolment moved the first start date).
        stored = _stored(spec, patient, data["client_id"])
        if stored is None:
            raise
        return _replay(spec, stored, data)
    # New entries are the common case: try the insert and let the unique
    # constraint tell a retry apart, rather than reading first every time.
    try:
        with transaction.atomic():
            record = spec.model.objects.create(patient=patient, received_at=clock.now(), **fields)
            safety.log_received(record, history=history)  # alerts exist exactly when the log does
    except IntegrityError:
        stored = _stored(spec, patient, data["client_id"])
        if stored is None:
            raise
        return _replay(spec, stored, data)
    return record, CREATED


def _stored(spec: LogKind, patient: Patient, client_id) -> models.Model | None:
    return spec.model.objects.filter(patient=patient, client_id=client_id).first()


def _replay(spec: LogKind, stored: models.Model, data: dict) -> tuple[models.Model, str]:
    if all(getattr(stored, name) == data[name] for name in spec.content):
        return stored, DUPLICATE
    raise LogConflict(stored)


def _checked_fields(spec: LogKind, patient: Patient, history: EnrollmentHistory, data: dict) -> dict:
    """The model fields of a new entry, after the rules that need the patient and the clock."""
    errors: dict[str, list[str]] = {}
    when = data[spec.when]
    today = clock.local_today(patient.timezone)
    local_date = when if spec.model is MedicationLog else clock.local_date_of(when, patient.timezone)
    if _in_future(when, today):
        errors[spec.when] = ["Must not be in the future."]
    elif spec.model is MedicationLog:
        earliest = _months_before(today, MEDICATION_LOOKBACK_MONTHS)
        if local_date < earliest:
            errors[spec.when] = [f"Must be on or after {earliest.isoformat()} (12 months back)."]
    else:
        first = history.first_start()
        if first is None:
            errors[spec.when] = ["You are not enrolled on a protocol yet."]
        elif local_date < first:
            errors[spec.when] = [f"Must be on or after your start date, {first.isoformat()}."]
    fields = {"client_id": data["client_id"], "local_date": local_date}
    fields.update({name: data[name] for name in spec.content})
    extra = _KIND_RULES.get(spec.model, _no_rules)(history, data, local_date, errors)
    if errors:
        raise LogInvalid(errors)
    fields.update(extra)
    return fields


def _in_future(when: datetime | date, today: date) -> bool:
    if isinstance(when, datetime):
        return when > clock.now() + FUTURE_TOLERANCE
    return when > today


def _months_before(on: date, months: int) -> date:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    month += 1
    for day in (on.day, 30, 29, 28):  # 31 March minus a month is the last day of February
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _no_rules(history, data, local_date, errors) -> dict:
    return {}


def _exercise_rules(history: EnrollmentHistory, data: dict, local_date: date, errors: dict) -> dict:
    enrollment = history.on_or_before(local_date)
    if enrollment is None:
        return {}  # already refused: before the first enrolment
    codes = {e.code for e in enrollment.protocol_version.spec.exercises}
    if data["exercise"] not in codes:
        errors["exercise"] = ["Not an exercise of your protocol."]
    return {}


def _visa_a_rules(history: EnrollmentHistory, data: dict, local_date: date, errors: dict) -> dict:
    try:
        return {"score": visa_a.visa_a_score(data)}
    except visa_a.VisaAInvalid as exc:
        errors.update(exc.errors)
        return {}


def _symptom_rules(history: EnrollmentHistory, data: dict, local_date: date, errors: dict) -> dict:
    """The advice the app shows: the highest tier of the symptoms, from the current protocol's table."""
    enrollment = history.current() or history.on_or_before(clock.local_today(history.patient.timezone))
    if enrollment is None:
        return {}
    flags = enrollment.protocol_version.spec.red_flags
    tier = max((flags.tier_of(s) for s in data["symptoms"]), key=TIER_RANK.__getitem__, default="none")
    return {"tier": tier, "advice": flags.advice[tier]}


def _medication_rules(history: EnrollmentHistory, data: dict, local_date: date, errors: dict) -> dict:
    injection = data["route"] == MedicationLog.Route.INJECTION
    if injection and not data["site"]:
        errors["site"] = ["Required for an injection: achilles, heel, other or unknown."]
    if not injection and data["site"]:
        errors["site"] = ["Only for injections."]
    if data["kind"] == MedicationLog.Kind.CORTICOSTEROID_INJECTION and not injection:
        errors["route"] = ["A corticosteroid injection has route injection."]
    return {}


_KIND_RULES = {
    ExerciseLog: _exercise_rules,
    VisaAResponse: _visa_a_rules,
    SymptomReport: _symptom_rules,
    MedicationLog: _medication_rules,
}
