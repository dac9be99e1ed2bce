"""A whole clinic's resources for FHIR Bulk Data, streamed: one resource at a time, memory flat.

The same builders as a patient's `$everything` (rehab.exchange.fhir), fed from one streaming query
per table (server-side cursors, a chunk at a time) instead of one query set per patient, so a
clinic of 10,000 patients costs a few dozen queries and only a chunk of rows in memory.

`since`: only what the server received or changed after it: logs by `received_at`, alerts by
`updated_at`, clinical events by `created_at`, enrolments by `created_at` or a milestone decided
since, patients (and their conditions) by `created_at` or `discharged_at`. Organization,
Practitioner, PlanDefinition and Questionnaire have no change time here and always come.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q

from config import clock
from patients.models import Clinic, Patient, User
from protocols.models import ProtocolVersion
from rehab.alerts.models import Alert
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.exchange.fhir import alerts, care, logs, people
from rehab.exchange.fhir.codes import Codes
from rehab.exchange.fhir.questionnaire import questionnaire
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse

CHUNK = 2000

# Every type a clinic's export may hold, in the order its files are written.
BULK_TYPES = (
    "Organization", "Practitioner", "Patient", "Condition", "Procedure", "PlanDefinition", "CarePlan",
    "Observation", "Questionnaire", "QuestionnaireResponse", "MedicationStatement", "ServiceRequest", "Flag",
    "DetectedIssue",
)  # fmt: skip


def clinic_resources(*, clinic: Clinic, resource_type: str, base: str, since: datetime | None) -> Iterator[dict]:
    """Every resource of one type for the clinic's patients, one at a time."""
    codes = Codes(base=base)
    return _SOURCES[resource_type](clinic, codes, since)


def _stream(queryset):
    return queryset.iterator(chunk_size=CHUNK)


def _after(since: datetime | None, *fields: str) -> Q:
    if since is None:
        return Q()
    changed = Q()
    for field in fields:
        changed |= Q(**{f"{field}__gt": since})
    return changed


def _organization(clinic, codes, since):
    yield people.organization(clinic)


def _practitioners(clinic, codes, since):
    staff = User.objects.filter(clinic=clinic, role__in=(User.Role.PHYSIO, User.Role.CLINIC_ADMIN)).order_by("pk")
    for user in _stream(staff):
        yield people.practitioner(user)


def _patients_changed(clinic, since):
    return Patient.objects.filter(_after(since, "created_at", "discharged_at"), clinic=clinic).order_by("pk")


def _patients(clinic, codes, since):
    for patient in _stream(_patients_changed(clinic, since)):
        yield people.patient_resource(patient, codes)


def _conditions(clinic, codes, since):
    for patient in _stream(_patients_changed(clinic, since)):
        yield from care.conditions(patient)


def _procedures(clinic, codes, since):
    events = ClinicalEvent.objects.filter(
        _after(since, "created_at"), patient__clinic=clinic, kind=ClinicalEvent.Kind.SURGERY
    ).select_related("patient")
    for event in _stream(events.order_by("pk")):
        yield care.procedure(event, event.patient, codes, today=clock.local_today(event.patient.timezone))


def _versions(clinic) -> dict[int, ProtocolVersion]:
    used = Enrollment.objects.filter(patient__clinic=clinic).values("protocol_version_id")
    return {v.pk: v for v in ProtocolVersion.objects.filter(pk__in=used).select_related("protocol").order_by("pk")}


def _plan_definitions(clinic, codes, since):
    for version in _versions(clinic).values():
        yield care.plan_definition(version, codes)


def _care_plans(clinic, codes, since):
    versions = _versions(clinic)  # read once: a version's definition is large, and shared by many
    decided = Milestone.objects.filter(enrollment=OuterRef("pk"), decided_at__gt=since) if since else None
    enrollments = Enrollment.objects.filter(patient__clinic=clinic)
    if since is not None:
        enrollments = enrollments.filter(Q(created_at__gt=since) | Exists(decided))
    enrollments = (
        enrollments.annotate(patient_timezone=F("patient__timezone"))
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position")))
        .order_by("pk")
    )
    for enrollment in _stream(enrollments):
        enrollment.protocol_version = versions[enrollment.protocol_version_id]
        today = clock.local_today(enrollment.patient_timezone)
        yield care.care_plan(enrollment, list(enrollment.milestones.all()), codes, today=today)


def _logs_of(model, clinic, since):
    return model.objects.filter(_after(since, "received_at"), patient__clinic=clinic).order_by("pk")


def _observations(clinic, codes, since):
    for log in _stream(_logs_of(PainLog, clinic, since)):
        yield logs.pain_observation(log, codes)
    for log in _stream(_logs_of(ExerciseLog, clinic, since)):
        yield logs.exercise_observation(log, codes)
    for log in _stream(_logs_of(VisaAResponse, clinic, since)):
        yield logs.visa_a_total(log, codes)
    for log in _stream(_logs_of(SymptomReport, clinic, since)):
        yield logs.symptom_observation(log, codes)


def _questionnaires(clinic, codes, since):
    if VisaAResponse.objects.filter(patient__clinic=clinic).exists():
        yield questionnaire(codes)


def _questionnaire_responses(clinic, codes, since):
    for log in _stream(_logs_of(VisaAResponse, clinic, since)):
        yield logs.visa_a_response(log, codes)


def _medication_statements(clinic, codes, since):
    for log in _stream(_logs_of(MedicationLog, clinic, since)):
        yield logs.medication_statement(log, codes)


def _alerts_of(clinic, since, **filters):
    return Alert.objects.filter(_after(since, "updated_at"), clinic=clinic, **filters).order_by("pk")


def _service_requests(clinic, codes, since):
    for alert in _stream(_alerts_of(clinic, since, kind=Alert.Kind.REFERRAL)):
        yield alerts.service_request(alert, codes)


def _flags(clinic, codes, since):
    for alert in _stream(_alerts_of(clinic, since, status=Alert.Status.OPEN)):
        yield alerts.flag(alert, codes)


def _detected_issues(clinic, codes, since):
    for alert in _stream(_alerts_of(clinic, since, kind=Alert.Kind.SAFETY)):
        yield alerts.detected_issue(alert, codes)


_SOURCES = {
    "Organization": _organization,
    "Practitioner": _practitioners,
    "Patient": _patients,
    "Condition": _conditions,
    "Procedure": _procedures,
    "PlanDefinition": _plan_definitions,
    "CarePlan": _care_plans,
    "Observation": _observations,
    "Questionnaire": _questionnaires,
    "QuestionnaireResponse": _questionnaire_responses,
    "MedicationStatement": _medication_statements,
    "ServiceRequest": _service_requests,
    "Flag": _flags,
    "DetectedIssue": _detected_issues,
}
assert tuple(_SOURCES) == BULK_TYPES
