"""Signing in to the dashboard: the password, then the second factor (a code, or enrolling an authenticator).

The password goes through Django's authenticate(), so django-axes counts each failure and locks a
username out from an address (its middleware answers the lock-out page); a wrong code counts as
a failure too. Nobody is signed in before the second factor passes (rehab.dashboard.signing_in).
"""

from base64 import b32encode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from config import clock
from config.client_address import client_address
from patients.models import User
from patients.services.second_factor import (
    backup_codes_issue,
    backup_codes_left,
    has_totp_device,
    must_enrol,
    requires_second_factor,
    second_factor_refused,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
)
from rehab.dashboard.access import is_staff_member, safe_next, staff_page
from rehab.dashboard.auth.forms import CodeForm, SignInForm
from rehab.dashboard.auth.lockout import lockout_response
from rehab.dashboard.idle import LAST_ACTIVITY_KEY
from rehab.dashboard.qr import qr_svg
from rehab.dashboard.signing_in import PENDING_MINUTES, pending_clear, pending_from_session, pending_start

PATIENT_REFUSED = "Patients sign in with the phone app, not here. The dashboard is for the clinic's physiotherapists."
NOT_STAFF_REFUSED = "This sign-in is not a clinic staff member's, so it cannot open the dashboard."
WRONG_PASSWORD = "The username or password is not right. Check them and try again."
WRONG_CODE = "That code is not right, or was used already. Try the code your app shows now."
PENDING_EXPIRED = f"Sign in to go on (a sign-in left half done expires after {PENDING_MINUTES} minutes)."


def _signed_in(request: HttpRequest, *, user: User, backend: str, device, next_url: str) -> HttpResponse:
    """The end of every sign-in: the session key changes and the session counts as verified if a code passed."""
    pending_clear(request)
    login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    request.session[LAST_ACTIVITY_KEY] = clock.now().timestamp()
    return redirect(next_url)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if is_staff_member(request) and (request.user.is_verified() or not requires_second_factor(request.user)):
        return redirect(next_url)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            # Inactive users land here too (Django's backend refuses them): no hint which it was.
            form.add_error(None, WRONG_PASSWORD)
        elif user.role == User.Role.PATIENT:
            form.add_error(None, PATIENT_REFUSED)
        elif not user.is_clinician or user.clinic_id is None:
            form.add_error(None, NOT_STAFF_REFUSED)
        elif requires_second_factor(user):
            pending_start(request, user=user, backend=user.backend, next_url=next_url)
            step = "dashboard:totp-enrol" if must_enrol(user) else "dashboard:verify"
            return redirect(step)
        else:
            return _signed_in(request, user=user, backend=user.backend, device=None, next_url=next_url)
    return render(request, "dashboard/auth/sign_in.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code step, for staff with an authenticator: its current code, or a backup code."""
    pending = pending_from_session(request)
    if pending is None:
        messages.info(request, PENDING_EXPIRED)
        return redirect("dashboard:sign-in")
    user, state = pending
    if must_enrol(user):
        return redirect("dashboard:totp-enrol")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return lockout_response(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    f"You signed in with a backup code; {backup_codes_left(user)} left. Each works once.",
                )
            return _signed_in(request, user=user, backend=state["backend"], device=device, next_url=state["next"])
        # Counted as a failed sign-in; at the limit django-axes' middleware answers the lock-out page.
        second_factor_refused(request=request, username=user.get_username())
        form.add_error("code", WRONG_CODE)
    return render(request, "dashboard/auth/verify.html", {"form": form, "staff": user})


@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: forced right after the password when the clinic requires TOTP,
    or chosen by a signed-in member of staff who has none yet."""
    pending = pending_from_session(request)
    if pending is not None:
        user, state = pending
        backend, next_url = state["backend"], state["next"]
    elif is_staff_member(request) and (request.user.is_verified() or not requires_second_factor(request.user)):
        user, backend, next_url = request.user, None, reverse("dashboard:patients")
    else:
        messages.info(request, PENDING_EXPIRED)
        return redirect("dashboard:sign-in")
    if has_totp_device(user):
        if pending is not None:
            return redirect("dashboard:verify")
        return render(
            request, "dashboard/auth/authenticator.html", {"staff": user, "codes_left": backup_codes_left(user)}
        )

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_device_confirm(user=user, code=form.cleaned_data["code"], ip_address=client_address(request))
        if device is not None:
            codes = backup_codes_issue(user=user)
            if pending is not None:
                _signed_in(request, user=user, backend=backend, device=device, next_url=next_url)
            else:
                otp_login(request, device)
            # Shown in this answer and never again (pages are no-store): nothing to come back to.
            return render(request, "dashboard/auth/backup_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", WRONG_CODE)

    device = totp_device_start(user=user)
    return render(
        request,
        "dashboard/auth/enrol.html",
        {
            "form": form,
            "staff": user,
            "forced": pending is not None,
            "qr_svg": qr_svg(device.config_url, label="QR code for your authenticator app", scale=5),
            "secret": _grouped(b32encode(device.bin_key).decode()),
        },
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_POST
@staff_page
def backup_codes_new(request: HttpRequest) -> HttpResponse:
    """A fresh set of backup codes (the old set stops working), for staff who signed in with a code."""
    if not request.user.is_verified():
        messages.info(request, "Set up an authenticator app first; backup codes come with it.")
        return redirect("dashboard:totp-enrol")
    codes = backup_codes_issue(user=request.user)
    return render(request, "dashboard/auth/backup_codes.html", {"codes": codes, "next": reverse("dashboard:patients")})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("dashboard:sign-in")
