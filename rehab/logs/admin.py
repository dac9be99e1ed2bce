from django.contrib import admin

from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse


class PatientLogAdmin(admin.ModelAdmin):
    list_filter = ("patient__clinic", "local_date")
    raw_id_fields = ("patient",)
    date_hierarchy = "local_date"


@admin.register(PainLog)
class PainLogAdmin(PatientLogAdmin):
    list_display = ("patient", "recorded_at", "score", "context")
    list_filter = ("context", *PatientLogAdmin.list_filter)


@admin.register(ExerciseLog)
class ExerciseLogAdmin(PatientLogAdmin):
    list_display = ("patient", "performed_at", "exercise", "sets", "reps", "completed", "pain_during")
    list_filter = ("completed", *PatientLogAdmin.list_filter)


@admin.register(VisaAResponse)
class VisaAAdmin(PatientLogAdmin):
    list_display = ("patient", "completed_at", "score")


@admin.register(SymptomReport)
class SymptomReportAdmin(PatientLogAdmin):
    list_display = ("patient", "reported_at", "tier", "symptoms")
    list_filter = ("tier", *PatientLogAdmin.list_filter)


@admin.register(MedicationLog)
class MedicationLogAdmin(PatientLogAdmin):
    list_display = ("patient", "taken_on", "kind", "route", "site", "indication")
    list_filter = ("kind", "route", *PatientLogAdmin.list_filter)
