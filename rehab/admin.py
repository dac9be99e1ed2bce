from django.contrib import admin

from rehab import models as m


class MilestoneInline(admin.TabularInline):
    model = m.Milestone
    fields = ("code", "window_start", "window_end", "status", "decided_at", "decided_by")
    readonly_fields = ("code", "window_start", "window_end")
    extra = 0


@admin.register(m.Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("patient", "protocol_version", "start_date", "end_date")
    list_filter = ("protocol_version__protocol", "patient__clinic")
    inlines = [MilestoneInline]
    raw_id_fields = ("patient", "created_by")


@admin.register(m.Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("code", "enrollment", "window_start", "window_end", "status", "due_at")
    list_filter = ("status", "kind", "code")
    raw_id_fields = ("enrollment", "decided_by")


class PatientLogAdmin(admin.ModelAdmin):
    list_filter = ("patient__clinic", "local_date")
    raw_id_fields = ("patient",)
    date_hierarchy = "local_date"


@admin.register(m.PainLog)
class PainLogAdmin(PatientLogAdmin):
    list_display = ("patient", "recorded_at", "score", "context")
    list_filter = ("context", *PatientLogAdmin.list_filter)


@admin.register(m.ExerciseLog)
class ExerciseLogAdmin(PatientLogAdmin):
    list_display = ("patient", "performed_at", "exercise", "sets", "reps", "completed", "pain_during")
    list_filter = ("completed", *PatientLogAdmin.list_filter)


@admin.register(m.VisaAResponse)
class VisaAAdmin(PatientLogAdmin):
    list_display = ("patient", "completed_at", "score")


@admin.register(m.SymptomReport)
class SymptomReportAdmin(PatientLogAdmin):
    list_display = ("patient", "reported_at", "tier", "symptoms")
    list_filter = ("tier", *PatientLogAdmin.list_filter)


@admin.register(m.MedicationLog)
class MedicationLogAdmin(PatientLogAdmin):
    list_display = ("patient", "taken_on", "kind", "route", "site", "indication")
    list_filter = ("kind", "route", *PatientLogAdmin.list_filter)


@admin.register(m.ClinicalEvent)
class ClinicalEventAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "date", "recorded_by")
    list_filter = ("kind", "patient__clinic")
    raw_id_fields = ("patient", "recorded_by")


@admin.register(m.Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("patient", "platform", "created_at", "disabled_at")
    list_filter = ("platform",)
    raw_id_fields = ("patient",)


@admin.register(m.Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("code", "patient", "severity", "status", "created_at", "escalated_at")
    list_filter = ("status", "kind", "severity", "code", "clinic")
    raw_id_fields = ("patient", "milestone", "acknowledged_by", "resolved_by")


@admin.register(m.AlertEvent)
class AlertEventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "alert", "created_at", "dispatched_at")
    list_filter = ("type",)
    raw_id_fields = ("alert",)


@admin.register(m.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("channel", "target", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("channel", "status")
    raw_id_fields = ("event", "reminder")


@admin.register(m.Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "slot", "due_at", "status", "sent_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("patient",)


@admin.register(m.WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("clinic", "url", "active", "disabled_reason")
    exclude = ("secret",)


@admin.register(m.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "resource", "patient")
    list_filter = ("action", "clinic")
    raw_id_fields = ("actor", "patient")

    def has_change_permission(self, request, obj=None):
        return False
