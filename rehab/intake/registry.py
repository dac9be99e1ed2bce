"""The kinds of patient log, each declared once: what the log service, the API and the clinic's reads use.

A kind's entry names its model and how the phone's bodies map onto it; the
endpoints (/me/<path>/ and /patients/<id>/<path>/), the sync batch, the
clinician's lists, the record's recent logs and the dashboard's last log are
all built from KINDS, so a new kind is a new PatientLog subclass and one entry
here. Sweeps below this app (engagement) read rehab.logs.models.patient_log_models()
instead; a test keeps the two the same.
"""

from collections.abc import Callable
from dataclasses import dataclass

from config.api.serializers import ModelSerializer
from patients.models import Patient
from rehab.intake import serializers as s
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, PatientLog, SymptomReport, VisaAResponse


def no_answer_context(patient: Patient) -> dict:
    return {}


@dataclass(frozen=True)
class LogKind:
    key: str  # the sync batch's key, and how the services name the kind
    path: str  # the URL segment: /me/<path>/, /patients/<id>/<path>/
    name: str  # as the schema's summaries say it: "The patient's <name>, newest first"
    model: type[PatientLog]
    when: str  # the field an entry is dated by
    content: tuple[str, ...]  # what a replay must repeat to be the same entry
    in_serializer: type[s.LogInSerializer]
    out_serializer: type[ModelSerializer]
    # What the answer's serializer needs from the patient's data, read once per request.
    answer_context: Callable[[Patient], dict] = no_answer_context


KINDS: dict[str, LogKind] = {
    kind.key: kind
    for kind in (
        LogKind(
            key="pain_logs",
            path="pain-logs",
            name="pain logs",
            model=PainLog,
            when="recorded_at",
            content=("recorded_at", "score", "context", "note"),
            in_serializer=s.PainLogInSerializer,
            out_serializer=s.PainLogSerializer,
        ),
        LogKind(
            key="exercise_logs",
            path="exercise-logs",
            name="exercise logs",
            model=ExerciseLog,
            when="performed_at",
            content=("performed_at", "exercise", "sets", "reps", "completed", "pain_during"),
            in_serializer=s.ExerciseLogInSerializer,
            out_serializer=s.ExerciseLogSerializer,
            answer_context=s.exercise_answer_context,
        ),
        LogKind(
            key="visa_a",
            path="visa-a",
            name="VISA-A responses",
            model=VisaAResponse,
            when="completed_at",
            content=("completed_at", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8_branch", "q8"),
            in_serializer=s.VisaAInSerializer,
            out_serializer=s.VisaASerializer,
        ),
        LogKind(
            key="symptom_reports",
            path="symptom-reports",
            name="symptom reports",
            model=SymptomReport,
            when="reported_at",
            content=("reported_at", "symptoms", "note"),
            in_serializer=s.SymptomReportInSerializer,
            out_serializer=s.SymptomReportSerializer,
        ),
        LogKind(
            key="medication_logs",
            path="medication-logs",
            name="medication logs",
            model=MedicationLog,
            when="taken_on",
            content=("taken_on", "kind", "name", "route", "site", "indication"),
            in_serializer=s.MedicationLogInSerializer,
            out_serializer=s.MedicationLogSerializer,
        ),
    )
}
