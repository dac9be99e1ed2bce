"""The clinic admin's staff page: who has an authenticator, resetting one, and requiring TOTP for the clinic.

Self-contained so the clinic settings page (a later issue) can take it in.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from config.client_address import client_address
from patients.models import User
from patients.services.second_factor import clinic_staff_second_factor, totp_device_reset, totp_requirement_set
from rehab.dashboard.access import ClinicAdminPageMixin, safe_next
from rehab.dashboard.auth.forms import RequireTotpForm


def staff_second_factor_context(clinic) -> dict:
    """What the staff sections show, on this page and on the clinic settings."""
    return {
        "clinic": clinic,
        "staff": clinic_staff_second_factor(clinic_id=clinic.pk),
        "form": RequireTotpForm(initial={"require_totp": clinic.require_totp}),
    }


def _back(request):
    """Where the form was sent from (the staff page or the clinic settings), never another site."""
    target = request.POST.get("next") or request.GET.get("next")
    return redirect(safe_next(request, target, fallback="dashboard:clinic-staff"))


class ClinicStaffPage(ClinicAdminPageMixin, View):
    def get(self, request):
        context = {**staff_second_factor_context(request.user.clinic), "nav": "clinic-staff"}
        return render(request, "dashboard/auth/clinic_staff.html", context)

    def post(self, request):
        form = RequireTotpForm(request.POST)
        form.is_valid()  # a checkbox: absent is False
        required = form.cleaned_data.get("require_totp", False)
        totp_requirement_set(
            clinic=request.user.clinic, required=required, by=request.user, ip_address=client_address(request)
        )
        messages.success(
            request,
            "Staff must now pass a TOTP code; those without an authenticator set one up at their next page."
            if required
            else "TOTP is no longer required; staff with an authenticator still use it.",
        )
        return _back(request)


class TotpResetPage(ClinicAdminPageMixin, View):
    """GET asks to confirm, POST resets. Another clinic's staff member is a 404, as everywhere."""

    def _staff(self, request, pk: int) -> User:
        staff = clinic_staff_second_factor(clinic_id=request.user.clinic_id).filter(pk=pk).first()
        if staff is None:
            raise Http404("No such member of staff in this clinic.")
        return staff

    def get(self, request, pk: int):
        return render(
            request, "dashboard/auth/reset_totp.html", {"staff": self._staff(request, pk), "nav": "clinic-staff"}
        )

    def post(self, request, pk: int):
        staff = self._staff(request, pk)
        totp_device_reset(staff=staff, by=request.user, ip_address=client_address(request))
        messages.success(request, f"{staff}'s authenticator and backup codes were removed.")
        return _back(request)
