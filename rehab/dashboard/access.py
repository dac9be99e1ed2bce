"""Who may open a dashboard page: signed-in clinic staff who passed the second factor where it applies.

Refused, a request is sent where it can go on: no session (or one ended when idle) to the
sign-in, a session that owes the second factor to the code step or to enrolment, an htmx
fragment's request by `HX-Redirect` (a redirect would be swapped into the page). Signed-in
users who are not clinic staff get 403.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from patients.models import User
from patients.services.second_factor import must_enrol, requires_second_factor
from rehab.dashboard.signing_in import pending_restart


def safe_next(request: HttpRequest, url: str | None, *, fallback: str | None = None) -> str:
    """Where to send the person next: the URL asked for (after signing in, back to the page a form was on)
    if it is on this site, else `fallback` (a URL or a URL name; the landing page by default)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(fallback or settings.LOGIN_REDIRECT_URL)


def is_staff_member(request: HttpRequest) -> bool:
    # DRF's requests nobody signed in to carry no user at all (UNAUTHENTICATED_USER is None).
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return user.is_active and user.is_clinician and user.clinic_id is not None


def _page_url(request: HttpRequest) -> str:
    """The page the person is on: for an htmx fragment, the page that asked for it."""
    htmx = getattr(request, "htmx", None)
    return (htmx.current_url_abs_path if htmx else None) or request.get_full_path()


def _go(request: HttpRequest, url_name: str, next_url: str) -> HttpResponse:
    url = f"{reverse(url_name)}?{urlencode({'next': next_url})}"
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else HttpResponseRedirect(url)


def staff_page_refusal(request: HttpRequest) -> HttpResponse | None:
    """Why this request may not open a staff page, as the response that sends it on; None if it may."""
    user = request.user
    if not user.is_authenticated:
        return _go(request, "dashboard:sign-in", _page_url(request))
    if not is_staff_member(request):
        raise PermissionDenied("The dashboard is for clinic staff.")
    if user.is_verified() or not requires_second_factor(user):
        return None
    # Signed in without the second factor it now needs (the clinic began to require TOTP, or the
    # device that passed was reset): back to the step that is owed, with the password kept.
    step = "dashboard:totp-enrol" if must_enrol(user) else "dashboard:verify"
    next_url = _page_url(request)
    pending_restart(request, next_url=next_url)
    return _go(request, step, next_url)


class StaffPageMixin(AccessMixin):
    """A page for physiotherapists and clinic admins of one clinic; everyone else is sent on (above)."""

    def dispatch(self, request, *args, **kwargs):
        refusal = staff_page_refusal(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)


class ClinicAdminPageMixin(StaffPageMixin):
    """A page for the clinic's admins only: a physiotherapist gets 403."""

    def dispatch(self, request, *args, **kwargs):
        refusal = staff_page_refusal(request)
        if refusal is not None:
            return refusal
        if request.user.role != User.Role.CLINIC_ADMIN:
            raise PermissionDenied("Only a clinic admin may open this page.")
        return super(StaffPageMixin, self).dispatch(request, *args, **kwargs)


def staff_page(view):
    """StaffPageMixin for a function view."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        refusal = staff_page_refusal(request)
        return refusal if refusal is not None else view(request, *args, **kwargs)

    return guarded
