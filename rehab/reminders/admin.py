from django.contrib import admin

from rehab.reminders.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "slot", "due_at", "status", "sent_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("patient",)
