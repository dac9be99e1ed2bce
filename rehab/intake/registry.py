"""The five kinds of patient log, as the API and the log service see them."""

from dataclasses import dataclass

from django.db import models

from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse


@dataclass(frozen=True)
class LogKind:
    key: str  # the sync batch key
    model: type[models.Model]
    when: str  # the field an entry is dated by
    content: tuple[str, ...]  # what a replay must repeat to be the same entry


KINDS = {
    k.key: k
    for k in (
        LogKind("pain_logs", PainLog, "recorded_at", ("recorded_at", "score", "context", "note")),
        LogKind(
            "exercise_logs",
            ExerciseLog,
            "performed_at",
            ("performed_at", "exercise", "sets", "reps", "completed", "pain_during"),
        ),
        LogKind(
            "visa_a",
            VisaAResponse,
            "completed_at",
            ("completed_at", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8_branch", "q8"),
        ),
        LogKind("symptom_reports", SymptomReport, "reported_at", ("reported_at", "symptoms", "note")),
        LogKind(
            "medication_logs", MedicationLog, "taken_on", ("taken_on", "kind", "name", "route", "site", "indication")
        ),
    )
}
