"""The clinic's settings (clinic admins only): its webhook and deliveries, a test event, its time zone.

Each action is a door onto the service the API uses (rehab.alerts, patients.services.clinic), is
sent once per form (rehab.dashboard.actions.once) and leaves an audit entry. A refused form is
shown again as it was typed, with the API's messages next to its fields.
"""

import secrets
import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from config.client_address import client_address
from config.errors import Conflict, DomainError
from patients.api.serializers import TIMEZONES
from patients.services.audit import audit_record
from patients.services.clinic import clinic_time_zone_set
from rehab.alerts.api.serializers import WebhookChangeSerializer
from rehab.alerts.models import WebhookEndpoint
from rehab.alerts.services.clinic_webhook import webhook_settings_save
from rehab.alerts.services.webhook_test import webhook_test_send
from rehab.alerts.webhook_deliveries import events_waiting, webhook_deliveries_recent
from rehab.dashboard.access import ClinicAdminPageMixin
from rehab.dashboard.actions.forms import api_input, refusal_fields
from rehab.dashboard.actions.once import (
    FormExpired,
    form_token_new,
    form_token_read,
    shown_once_keep,
    shown_once_read,
    submission_of,
    submit_once,
)
from rehab.dashboard.auth.clinic_staff import staff_second_factor_context

SECRET_SHOWN_ACTIONS = ("webhook_save", "webhook_rotate")
STILL_GOING = ("pending", "sending")


class WebhookMissing(Conflict):
    """A secret belongs to a webhook: there is none to rotate it on."""


def _token_again(request, exc: DomainError) -> str:
    """A refused form goes again with its token (its claim was rolled back), unless the token was the problem."""
    return form_token_new() if isinstance(exc, FormExpired) else request.POST.get("form_token", "")


def _secret_new() -> str:
    return secrets.token_urlsafe(32)


def _endpoint(clinic_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(clinic_id=clinic_id).first()


def _audit(request, what: str) -> None:
    audit_record(
        actor=request.user,
        action="update",
        resource=f"clinic:{request.user.clinic_id} {what}",
        patient_ids=(),
        ip_address=client_address(request),
    )


def deliveries_context(clinic) -> dict:
    rows = webhook_deliveries_recent(clinic_id=clinic.pk)
    going = any(r["status"] in STILL_GOING for r in rows) or events_waiting(clinic_id=clinic.pk)
    return {"deliveries": rows, "deliveries_going": going, "clinic": clinic}


def _secret_shown(request) -> str | None:
    """The secret a save or rotation just made, shown on the page it redirected to, once."""
    try:
        token = uuid.UUID(request.GET.get("shown", ""))
    except ValueError:
        return None
    for action in SECRET_SHOWN_ACTIONS:
        if submission_of(token=token, actor=request.user, action=action) is not None:
            return shown_once_read(token, forget=True)
    return None


def settings_page(request, *, status: int = 200, **forms) -> HttpResponse:
    """The whole page; a refused form passes its typed values and errors in `forms`."""
    clinic = request.user.clinic
    endpoint = _endpoint(clinic.pk)
    webhook = forms.get("webhook") or {
        "url": endpoint.url if endpoint else "",
        "active": endpoint.active if endpoint else True,
        "errors": {},
    }
    context = {
        "nav": "clinic-settings",
        "endpoint": endpoint,
        "webhook": {**webhook, "token": webhook.get("token") or form_token_new()},
        "rotate": forms.get("rotate") or {"errors": {}, "token": form_token_new()},
        "test": forms.get("test") or {"errors": {}, "token": form_token_new()},
        "zone": forms.get("zone") or {"time_zone": clinic.time_zone, "errors": {}, "token": form_token_new()},
        "secret_shown": _secret_shown(request),
        "time_zones": TIMEZONES,
        **deliveries_context(clinic),
        **staff_second_factor_context(clinic),
    }
    return render(request, "dashboard/clinic/settings.html", context, status=status)


class ClinicSettingsPage(ClinicAdminPageMixin, View):
    def get(self, request):
        return settings_page(request)


class DeliveriesFragment(ClinicAdminPageMixin, View):
    """The deliveries table alone: the page refreshes it while a delivery is still on its way."""

    def get(self, request):
        return render(request, "dashboard/clinic/_deliveries.html", deliveries_context(request.user.clinic))


class WebhookSave(ClinicAdminPageMixin, View):
    """URL and on/off. A first webhook gets a secret made here, shown once (the API takes one typed in)."""

    def post(self, request):
        typed = {"url": request.POST.get("url", ""), "active": request.POST.get("active") == "on"}
        clinic = request.user.clinic

        def perform(submission):
            endpoint = _endpoint(clinic.pk)
            secret = None if endpoint is not None and endpoint.secret else _secret_new()
            webhook_settings_save(clinic=clinic, secret=secret, **data)
            if secret is not None:
                shown_once_keep(submission.token, secret)
                submission.result = {"secret_shown": True}  # a repeat's answer shows it too
            _audit(request, "webhook")

        try:
            token = form_token_read(request.POST)
            data = api_input(WebhookChangeSerializer, typed)
            submission, _ = submit_once(token=token, actor=request.user, action="webhook_save", perform=perform)
        except DomainError as exc:
            form = {**typed, "errors": refusal_fields(exc), "token": _token_again(request, exc)}
            return settings_page(request, status=400, webhook=form)
        messages.success(request, "The webhook was saved.")
        return _back(submission.token if submission.result.get("secret_shown") else None)


class WebhookRotateSecret(ClinicAdminPageMixin, View):
    def post(self, request):
        clinic = request.user.clinic

        def perform(submission):
            endpoint = _endpoint(clinic.pk)
            if endpoint is None:
                raise WebhookMissing("Set the webhook's URL first: a secret belongs to a webhook.")
            secret = _secret_new()
            webhook_settings_save(clinic=clinic, url=endpoint.url, active=endpoint.active, secret=secret)
            shown_once_keep(submission.token, secret)
            _audit(request, "webhook secret rotated")

        try:
            token = form_token_read(request.POST)
            submission, _ = submit_once(token=token, actor=request.user, action="webhook_rotate", perform=perform)
        except DomainError as exc:
            form = {"errors": refusal_fields(exc), "token": _token_again(request, exc)}
            return settings_page(request, status=400, rotate=form)
        messages.success(request, "A new secret was made: give it to your receiver now, it is shown only once.")
        return _back(submission.token)


class WebhookSendTest(ClinicAdminPageMixin, View):
    def post(self, request):
        def perform(submission):
            event = webhook_test_send(clinic=request.user.clinic, by=request.user)
            submission.result = {"event_id": str(event.id)}
            _audit(request, f"webhook test event {event.id}")

        try:
            token = form_token_read(request.POST)
            submission, _ = submit_once(token=token, actor=request.user, action="webhook_test", perform=perform)
        except DomainError as exc:
            form = {"errors": refusal_fields(exc), "token": _token_again(request, exc)}
            return settings_page(request, status=400, test=form)
        messages.success(request, f"A test event was queued (event id {submission.result['event_id']}).")
        return _back(None)


class TimeZoneSave(ClinicAdminPageMixin, View):
    def post(self, request):
        typed = request.POST.get("time_zone", "")

        def perform(submission):
            clinic_time_zone_set(
                clinic=request.user.clinic, time_zone=typed, by=request.user, ip_address=client_address(request)
            )

        try:
            token = form_token_read(request.POST)
            submit_once(token=token, actor=request.user, action="clinic_time_zone", perform=perform)
        except DomainError as exc:
            form = {"time_zone": typed, "errors": refusal_fields(exc), "token": _token_again(request, exc)}
            return settings_page(request, status=400, zone=form)
        messages.success(request, f"The clinic's time zone is now {typed}.")
        return _back(None)


def _back(shown: uuid.UUID | None):
    url = reverse("dashboard:clinic-settings")
    return redirect(f"{url}?shown={shown}" if shown else url)
