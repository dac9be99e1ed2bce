from django.contrib import admin

from rehab.care.models import ClinicalEvent, Enrollment, Milestone


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ("code", "window_start", "window_end", "status", "decided_at", "decided_by")
    readonly_fields = ("code", "window_start", "window_end")
    extra = 0


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("patient", "protocol_version", "start_date", "end_date")
    list_filter = ("protocol_version__protocol", "patient__clinic")
    inlines = [MilestoneInline]
    raw_id_fields = ("patient", "created_by")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("code", "enrollment", "window_start", "window_end", "status", "due_at")
    list_filter = ("status", "kind", "code")
    raw_id_fields = ("enrollment", "decided_by")


@admin.register(ClinicalEvent)
class ClinicalEventAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "date", "recorded_by")
    list_filter = ("kind", "patient__clinic")
    raw_id_fields = ("patient", "recorded_by")
