"""The Django admin is the operators' console: superusers only, never a clinic's staff.

Clinic admins and physiotherapists work through the API, which scopes every read to their clinic; the
admin reads every clinic, so an is_staff flag set on a clinic user by mistake must not open it.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """Refuses the sign-in itself, so a clinic user gets no admin session at all."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class OperatorAdminSite(admin.AdminSite):
    login_form = OperatorAuthenticationForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody may write by hand, not even an operator (the audit trail)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WrittenByServicesAdmin(admin.ModelAdmin):
    """Rows that only services write (alerts and their outbox): an operator reads them here.

    Deleting stays possible, so that erasing a patient in the admin takes their rows with them.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
