from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from config.admin import ReadOnlyAdmin
from patients.models import ActivationCode, AuditEntry, Clinic, Device, Patient, User


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "admin_email", "created_at")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "clinic", "is_active")
    list_filter = ("role", "clinic", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Clinic", {"fields": ("role", "clinic", "display_name")}))


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("display_name", "clinic", "condition", "side", "status", "assigned_physio", "timezone")
    list_filter = ("clinic", "status", "condition", "side")
    search_fields = ("display_name",)
    raw_id_fields = ("user", "assigned_physio")


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin):
    list_display = ("patient", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = ("code_hash",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("patient", "platform", "created_at", "disabled_at")
    list_filter = ("platform",)
    raw_id_fields = ("patient",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "resource", "patient")
    list_filter = ("action", "clinic")
    raw_id_fields = ("actor", "patient")
