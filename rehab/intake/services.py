"""Storing what a patient logs from the phone, exactly once.

One function stores a batch of items, whether one came alone (POST
/me/pain-logs/), a phone that was offline sent a week's worth (POST /me/sync/)
or the simulator sends what two thousand patients logged in an hour.
`client_id` is unique per patient and kind: the same id with the same content
is the same entry (a retry) and stores nothing; with other content it is a
conflict. Content is compared after normalisation: instants as instants,
omitted fields as their defaults (the input serializers fill them in).

Entries are dated by their own time in the patient's zone, not by arrival,
so a pain score typed offline three days ago counts for that day.

A batch costs a fixed number of statements whatever its size: the enrolments
of its patients, one insert per kind, one read of the pain rules' answer
(counts and sums, rehab.logs.selectors.pain_windows), and a read of stored
entries only when a retry or a refused item needs it. One new entry that
raises nothing (the common case by far) is one INSERT after that read, with
no transaction around it; the rest are stored with their alerts in one.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, models, transaction

from config import clock
from config.db.compiled import insert_many, insert_one
from config.errors import Conflict, FieldErrors
from patients.models import Patient
from protocols.definition import TIER_RANK
from protocols.models import ProtocolVersion
from rehab.care.models import Enrollment
from rehab.care.selectors.enrollment import EnrollmentHistory
from rehab.intake.registry import KINDS, LogKind
from rehab.logs import visa_a
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse
from rehab.rules.services import safety
from rehab.rules.services.safety.context import SafetyContext

FUTURE_TOLERANCE = timedelta(minutes=5)  # phones' clocks drift
MEDICATION_LOOKBACK_MONTHS = 12  # an injection before enrolment still matters
INSERT_ATTEMPTS = 3  # each lost race to the unique constraint turns entries into replays

CREATED = "created"
DUPLICATE = "duplicate"
INVALID = "invalid"
CONFLICT = "conflict"


class LogInvalid(FieldErrors):
    """The entry breaks a rule the schema cannot express (a future time, an unknown exercise...)."""


class LogConflict(Conflict):
    """The client_id was already used for this kind with other content."""

    def __init__(self, stored: models.Model):
        super().__init__(f"client_id {stored.client_id} was already used with other content.")
        self.stored = stored


@dataclass(frozen=True)
class LogItem:
    patient: Patient
    kind: str  # a key of rehab.intake.registry.KINDS
    data: dict  # validated by the kind's input serializer

    @property
    def key(self) -> tuple:
        return self.patient.pk, self.kind, self.data["client_id"]


@dataclass(frozen=True)
class LogOutcome:
    status: str  # CREATED or DUPLICATE (the record), CONFLICT (the stored record) or INVALID (errors)
    record: models.Model | None = None
    errors: dict | None = None


def log_record(*, patient: Patient, kind: str, data: dict) -> tuple[models.Model, str]:
    """Store one entry; returns (record, "created" | "duplicate"). Raises LogInvalid or LogConflict."""
    outcome = logs_record([LogItem(patient, kind, data)])[0]
    if outcome.status == INVALID:
        raise LogInvalid(outcome.errors)
    if outcome.status == CONFLICT:
        raise LogConflict(outcome.record)
    return outcome.record, outcome.status


def logs_record(items: Sequence[LogItem]) -> list[LogOutcome]:
    """Store a batch; one outcome per item, in order. Valid items are stored even when a sibling is not.

    Safe under concurrency: two identical requests at once meet at the unique
    constraint, and the loser answers as a replay of the winner. An item
    repeated within the batch answers as a replay of its first occurrence.
    """
    histories = _histories({item.patient.pk: item.patient for item in items})
    outcomes: dict[int, LogOutcome] = {}
    first_of: dict[tuple, int] = {}
    new: dict[int, dict] = {}
    refused: dict[int, LogInvalid] = {}
    for i, item in enumerate(items):
        if first_of.setdefault(item.key, i) != i:
            continue
        try:
            new[i] = _checked_fields(KINDS[item.kind], item.patient, histories[item.patient.pk], item.data)
        except LogInvalid as exc:
            refused[i] = exc
    if refused:
        # A retry of an entry stored earlier is still that entry, even if a rule
        # would now refuse it (a later enrolment moved the first start date).
        stored = _stored(items, refused)
        for i, exc in refused.items():
            outcomes[i] = _replay(items[i], stored[i]) if i in stored else LogOutcome(INVALID, errors=exc.errors)
    outcomes.update(_insert(items, new, histories))
    for i, item in enumerate(items):
        if i not in outcomes:
            first = outcomes[first_of[item.key]]
            outcomes[i] = first if first.record is None else _replay(item, first.record)
    return [outcomes[i] for i in range(len(items))]


def _histories(patients: dict[int, Patient]) -> dict[int, EnrollmentHistory]:
    """Every patient's enrolments: one patient through its own selector, many in two queries."""
    if len(patients) <= 1:
        return {pk: EnrollmentHistory.of(patient) for pk, patient in patients.items()}
    rows = list(Enrollment.objects.filter(patient_id__in=list(patients)).order_by("patient_id", "-start_date"))
    # Few versions serve many enrolments: read each (and its large definition) once.
    versions = ProtocolVersion.objects.select_related("protocol").in_bulk({e.protocol_version_id for e in rows})
    by_patient: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in rows:
        enrollment.protocol_version = versions[enrollment.protocol_version_id]
        enrollment.patient = patients[enrollment.patient_id]
        by_patient[enrollment.patient_id].append(enrollment)
    return {pk: EnrollmentHistory(patient, tuple(by_patient[pk])) for pk, patient in patients.items()}


def _insert(items: Sequence[LogItem], new: dict[int, dict], histories: dict) -> dict[int, LogOutcome]:
    """Insert the new entries and run their safety rules: an alert exists exactly when its entry does.

    New entries are the common case: insert first and let the unique constraint
    tell a retry apart, rather than reading first every time. When it does, the
    stored ones become replays and the rest are inserted again.
    """
    outcomes: dict[int, LogOutcome] = {}
    for _ in range(INSERT_ATTEMPTS):
        if not new:
            break
        records = _records(items, new)
        try:
            if len(records) == 1 and _raises_nothing(records, histories):
                _store_alone(records)
            else:
                with transaction.atomic():
                    _create(records)
                    _safety_rules(records, histories)
        except IntegrityError:
            stored = _stored(items, new)
            if not stored:
                raise  # no retry explains it: a real fault
            for i, record in stored.items():
                outcomes[i] = _replay(items[i], record)
                del new[i]
            continue
        outcomes.update((i, LogOutcome(CREATED, record)) for i, record in records.items())
        return outcomes
    if new:
        raise RuntimeError("entries kept meeting concurrent inserts of the same client_id")
    return outcomes


def _records(items: Sequence[LogItem], new: dict[int, dict]) -> dict[int, models.Model]:
    now = clock.now()
    return {
        i: KINDS[items[i].kind].model(patient=items[i].patient, received_at=now, **fields) for i, fields in new.items()
    }


def _raises_nothing(records: dict[int, models.Model], histories: dict) -> bool:
    """One entry whose arrival rules, judged before it is stored, raise nothing (rules.safety.arrival_raises).

    Such an entry is stored by one INSERT in autocommit: alone, it is atomic, and no alert is to be stored
    with it. Judging it before storing rather than after is judging it against the same stored entries
    (what another request stores meanwhile is no more seen than under READ COMMITTED inside a transaction).
    """
    [record] = records.values()
    return safety.arrival_raises(record, history=histories[record.patient_id]) is False


def _store_alone(records: dict[int, models.Model]) -> None:
    [record] = records.values()
    # Inside a caller's transaction (a test's, a job's), a savepoint keeps a lost race from aborting it.
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        insert_one(record)  # the model's INSERT compiled once per connection, prepared by the server


def _create(records: dict[int, models.Model]) -> None:
    by_kind: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for record in records.values():
        by_kind[type(record)].append(record)
    for rows in by_kind.values():
        insert_many(rows)  # as bulk_create, by one INSERT per kind compiled once per connection and prepared


def _safety_rules(records: dict[int, models.Model], histories: dict) -> None:
    """The arrival rules of every new entry, in the order the entries came; the pain windows read once for all.

    Read after the batch is stored, so each entry is judged against every stored entry, its batch's included.
    A patient's context (their rules' enrolment) is the same for every entry of the batch: worked out once.
    """
    patients = {r.patient_id for r in records.values()}  # those with an entry stored, not every one asked about
    contexts = {pk: SafetyContext.for_patient(histories[pk].patient, history=histories[pk]) for pk in patients}
    pain = [(contexts[r.patient_id], r) for r in records.values() if isinstance(r, PainLog)]
    windows = {id(log): window for (_, log), window in zip(pain, safety.pain_windows_of(pain), strict=True)}
    for i in sorted(records):
        record = records[i]
        safety.log_received(record, ctx=contexts[record.patient_id], window=windows.get(id(record)))


def _stored(items: Sequence[LogItem], indices: Iterable[int]) -> dict[int, models.Model]:
    """The stored entries with these items' client_ids (one query per kind), by item index."""
    wanted: dict[str, dict[tuple, int]] = defaultdict(dict)
    for i in indices:
        item = items[i]
        wanted[item.kind][(item.patient.pk, item.data["client_id"])] = i
    found: dict[int, models.Model] = {}
    for kind, keys in wanted.items():
        rows = KINDS[kind].model.objects.filter(
            patient_id__in={pk for pk, _ in keys}, client_id__in={cid for _, cid in keys}
        )
        for row in rows:
            i = keys.get((row.patient_id, row.client_id))
            if i is not None:
                found[i] = row
    return found


def _replay(item: LogItem, stored: models.Model) -> LogOutcome:
    if all(getattr(stored, name) == item.data[name] for name in KINDS[item.kind].content):
        return LogOutcome(DUPLICATE, stored)
    return LogOutcome(CONFLICT, stored)


def _checked_fields(kind: LogKind, patient: Patient, history: EnrollmentHistory, data: dict) -> dict:
    """The model fields of a new entry, after the rules that need the patient and the clock."""
    errors: dict[str, list[str]] = {}
    when = data[kind.when]
    today = clock.local_today(patient.timezone)
    local_date = when if kind.model is MedicationLog else _local_date(when, patient.timezone)
    if _in_future(when, today):
        errors[kind.when] = ["Must not be in the future."]
    elif kind.model is MedicationLog:
        earliest = _months_before(today, MEDICATION_LOOKBACK_MONTHS)
        if local_date < earliest:
            errors[kind.when] = [f"Must be on or after {earliest.isoformat()} (12 months back)."]
    else:
        first = history.first_start()
        if first is None:
            errors[kind.when] = ["You are not enrolled on a protocol yet."]
        elif local_date < first:
            errors[kind.when] = [f"Must be on or after your start date, {first.isoformat()}."]
    fields = {"client_id": data["client_id"], "local_date": local_date}
    fields.update({name: data[name] for name in kind.content})
    extra = _KIND_RULES.get(kind.model, _no_rules)(history, data, local_date, errors)
    if errors:
        raise LogInvalid(errors)
    fields.update(extra)
    return fields


def _local_date(when: datetime, tz: str) -> date:
    try:
        return clock.local_date_of(when, tz)
    except OverflowError:
        # At the calendar's ends (the first second of year 1 in a zone behind UTC) there is no local date.
        # Such an instant is before any enrolment or far in the future, and the rules below refuse both.
        return date.min if when.year == 1 else date.max


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
    codes = {e.code for e in enrollment.protocol_version.definition.exercises}
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
    flags = enrollment.protocol_version.definition.red_flags
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
