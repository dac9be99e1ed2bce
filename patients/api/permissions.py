"""Role permissions. Authentication (JWT) comes first; these read the role."""

from rest_framework.permissions import BasePermission

from patients.models import Patient, User


class IsPatient(BasePermission):
    """A patient's own sign-in, linked to a Patient row. Staff get 403 on /me/... paths."""

    message = "Only a patient's own sign-in can use this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.role == User.Role.PATIENT):
            return False
        try:
            user.patient  # noqa: B018 - loads and caches the row the view uses
        except Patient.DoesNotExist:
            return False
        return True


class IsClinician(BasePermission):
    """A physio or clinic admin, attached to a clinic."""

    message = "Only clinic staff can use this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_clinician and user.clinic_id)


class IsClinicAdmin(BasePermission):
    message = "Only a clinic admin can use this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == User.Role.CLINIC_ADMIN and user.clinic_id)
