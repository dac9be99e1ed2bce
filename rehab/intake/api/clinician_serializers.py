"""The patient's logs as a clinician reads them: the same shapes the phone gets back."""

from rest_framework import serializers

from rehab.intake.api.serializers import (
    ExerciseLogSerializer,
    MedicationLogSerializer,
    PainLogSerializer,
    SymptomReportSerializer,
    VisaASerializer,
)

LOG_SERIALIZERS = {
    "pain-logs": PainLogSerializer,
    "exercise-logs": ExerciseLogSerializer,
    "visa-a": VisaASerializer,
    "symptom-reports": SymptomReportSerializer,
    "medication-logs": MedicationLogSerializer,
}


class RecentLogsSerializer(serializers.Serializer):
    pain_logs = PainLogSerializer(many=True)
    exercise_logs = ExerciseLogSerializer(many=True)
    visa_a = VisaASerializer(many=True)
    symptom_reports = SymptomReportSerializer(many=True)
    medication_logs = MedicationLogSerializer(many=True)
