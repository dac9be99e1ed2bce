"""RTM on the dashboard: the patient page's card and its actions, the clinic's monthly report, who is close.

Each action validates with the API's own serializer, calls the service the API calls, and answers
the card again (htmx swaps it in place) or, without htmx, goes back to the patient's page.
"""

from datetime import datetime, time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from config import clock
from config.client_address import client_address
from config.errors import DomainError, FieldErrors
from patients.models import Patient
from patients.services.audit import audit_record
from rehab.billing.api import serializers as api
from rehab.billing.models import ClinicBillingSettings, Timer
from rehab.billing.report_csv import report_csv
from rehab.billing.selectors.ledger import clinic_month_rows, close_to_threshold, data_day_rule_of, month_of
from rehab.billing.services.episodes import data_day_rule_set, episode_start, episode_stop
from rehab.billing.services.months import month_close, rpm_flag_set
from rehab.billing.services.time_entries import (
    time_entry_record,
    timer_confirm,
    timer_discard,
    timer_start,
    timer_stop,
)
from rehab.dashboard.access import ClinicAdminPageMixin, StaffPageMixin
from rehab.dashboard.actions.forms import api_input, refusal_fields
from rehab.dashboard.actions.once import form_token_new, form_token_read, submit_once
from rehab.dashboard.billing.card import rtm_card


def _audit(request, patient_ids) -> None:
    audit_record(
        actor=request.user,
        action="read" if request.method == "GET" else "create",
        resource=request.get_full_path(),
        patient_ids=list(patient_ids),
        ip_address=client_address(request),
    )


def _patient(request, id: int) -> Patient:
    return get_object_or_404(Patient, pk=id, clinic_id=request.user.clinic_id)


def card_response(request, patient: Patient, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    card = rtm_card(patient=patient, viewer=request.user, errors=errors)
    context = {"card": card, "form_token": form_token_new(), "clinic_zone": request.user.clinic.time_zone}
    return render(request, "dashboard/billing/_rtm_card.html", context, status=status)


class RtmCardFragment(StaffPageMixin, View):
    """The card alone: the patient page loads it (htmx), and every action answers with it."""

    def get(self, request, id: int):
        patient = _patient(request, id)
        _audit(request, [patient.pk])
        return card_response(request, patient)


class RtmAction(StaffPageMixin, View):
    """POST only: do one thing to the patient's RTM, then show the card again."""

    done = "Saved."

    def post(self, request, id: int):
        patient = _patient(request, id)
        try:
            performed = self.perform(request, patient)
        except DomainError as exc:
            return self._answer(request, patient, errors=refusal_fields(exc), message=str(exc))
        if performed is False:  # the same form sent again: nothing new happened, nothing new to audit
            return self._answer(request, patient, message="This form was already sent; it was recorded once.")
        _audit(request, [patient.pk])
        return self._answer(request, patient, message=self.done)

    def perform(self, request, patient: Patient) -> bool | None:
        """Do the action; False when a one-time form had already done it."""
        raise NotImplementedError

    def _answer(self, request, patient, *, errors=None, message=""):
        if request.htmx:
            # htmx swaps only 2xx answers: a refusal is the card with its errors beside the fields.
            return card_response(request, patient, errors=errors)
        (messages.error if errors else messages.success)(request, message)
        return redirect("dashboard:patient", id=patient.pk)

    def _timer(self, request, patient: Patient) -> Timer:
        timer_id = request.POST.get("timer", "")
        timer = Timer.objects.filter(pk=int(timer_id) if timer_id.isdigit() else None, patient=patient).first()
        if timer is None or timer.clinician_id != request.user.pk:
            raise FieldErrors.on("timer", "No such timer of yours; reload the page.")
        return timer


def _given(post, *names) -> dict:
    return {name: post[name] for name in names if post.get(name, "") != ""}


class EpisodeStart(RtmAction):
    done = "Monitoring started."

    def perform(self, request, patient):
        data = api_input(api.EpisodeStartSerializer, _given(request.POST, "started_on"))
        episode_start(patient=patient, by=request.user, **data)


class EpisodeStop(RtmAction):
    done = "Monitoring stopped."

    def perform(self, request, patient):
        data = api_input(api.EpisodeStopSerializer, _given(request.POST, "stopped_on"))
        episode_stop(patient=patient, by=request.user, **data)


class TimerStart(RtmAction):
    done = "Timer started."

    def perform(self, request, patient):
        timer_start(patient=patient, by=request.user)


class TimerStop(RtmAction):
    done = "Timer stopped: confirm the minutes."

    def perform(self, request, patient):
        timer_stop(timer=self._timer(request, patient), by=request.user)


class TimerDiscard(RtmAction):
    done = "Timer discarded."

    def perform(self, request, patient):
        timer_discard(timer=self._timer(request, patient), by=request.user)


class TimerConfirm(RtmAction):
    done = "Minutes recorded."

    def perform(self, request, patient):
        body = {**_given(request.POST, "activity", "note"), "interactive": request.POST.get("interactive") == "on"}
        if request.POST.get("minutes", "") != "":
            body["minutes"] = _whole(request.POST["minutes"], "minutes")
        data = api_input(api.TimerConfirmSerializer, body)
        timer_confirm(timer=self._timer(request, patient), by=request.user, **data)


class MinutesRecord(RtmAction):
    """Minutes typed in: a date and start time in the clinic's zone, once per form (a double submit stores one)."""

    done = "Minutes recorded."

    def perform(self, request, patient):
        post = request.POST
        body = {
            **_given(post, "activity", "note"),
            "started_at": _instant(post.get("date", ""), post.get("start", ""), request.user.clinic.time_zone),
            "minutes": _whole(post.get("minutes", ""), "minutes"),
            "interactive": post.get("interactive") == "on",
        }
        data = api_input(api.TimeEntryCreateSerializer, body)
        token = form_token_read(post)

        def record(submission):
            submission.patient = patient
            time_entry_record(patient=patient, by=request.user, **data)

        _, performed = submit_once(token=token, actor=request.user, action="rtm_minutes", perform=record)
        return performed


class RpmFlag(RtmAction):
    done = "RPM flag saved."

    def perform(self, request, patient):
        body = {"month": request.POST.get("month", ""), "rpm": request.POST.get("rpm") == "on"}
        data = api_input(api.RpmFlagSerializer, body)
        rpm_flag_set(patient=patient, by=request.user, **data)


def _whole(value: str, name: str):
    if not value.strip().isdigit():
        raise FieldErrors.on(name, "Must be a whole number.")
    return int(value)


def _instant(day: str, start: str, zone: str) -> str:
    """A local date and time (the form's) as the API's instant with its offset."""
    try:
        on = datetime.strptime(day, "%Y-%m-%d").date()
        at = time.fromisoformat(start)
    except ValueError:
        raise FieldErrors.on("started_at", "Give the date (YYYY-MM-DD) and start time (HH:MM).") from None
    return clock.local_instant(on, at, zone).isoformat()


# --- the clinic's report ---------------------------------------------------------------------------------
def _report_query(request) -> tuple[dict, dict]:
    """The report's month and billable filter from the query string; bad values are errors, not a 500."""
    given = {}
    if request.GET.get("month"):
        given["month"] = request.GET["month"]
    if request.GET.get("billable") in ("true", "false"):
        given["billable"] = request.GET["billable"] == "true"
    serializer = api.ReportQuerySerializer(data=given)
    if not serializer.is_valid():
        return {"month": month_of(request.user.clinic), "billable": None}, serializer.errors
    query = dict(serializer.validated_data)
    query.setdefault("month", month_of(request.user.clinic))
    return query, {}


def _report_rows(request, query: dict) -> list[dict]:
    rows = clinic_month_rows(clinic=request.user.clinic, month=query["month"])
    if query.get("billable") is not None:
        rows = [row for row in rows if row["billable"] == query["billable"]]
    return rows


class BillingReportPage(ClinicAdminPageMixin, View):
    """One row per patient and month, the billable filter, the CSV, and closing the month."""

    def get(self, request):
        query, errors = _report_query(request)
        rows = [] if errors else _report_rows(request, query)
        _audit(request, [row["patient"]["id"] for row in rows])
        clinic = request.user.clinic
        closed = any(row["closed"] for row in rows)
        month_over = month_of(clinic) > query["month"]
        context = {
            "nav": "billing",
            "rows": rows,
            "query": query,
            "errors": errors,
            "month_text": query["month"].strftime("%Y-%m"),
            "can_close": month_over and not closed and not errors,
            "closed": closed,
            "data_day_rule": data_day_rule_of(clinic),
            "data_day_rules": ClinicBillingSettings.DataDayRule.choices,
        }
        return render(request, "dashboard/billing/report.html", context, status=400 if errors else 200)


class BillingReportCsv(ClinicAdminPageMixin, View):
    def get(self, request):
        query, errors = _report_query(request)
        if errors:
            return HttpResponse("Give the month as YYYY-MM.", status=400, content_type="text/plain; charset=utf-8")
        rows = _report_rows(request, query)
        _audit(request, [row["patient"]["id"] for row in rows])
        response = HttpResponse(report_csv(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rtm-{query["month"]:%Y-%m}.csv"'
        return response


class MonthClose(ClinicAdminPageMixin, View):
    def post(self, request):
        try:
            data = api_input(api.MonthCloseCreateSerializer, {"month": request.POST.get("month", "")})
            month_close(clinic=request.user.clinic, month=data["month"], by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard:billing-report")
        messages.success(request, f"{data['month']:%Y-%m} is closed: its figures are frozen.")
        return redirect(f"{reverse('dashboard:billing-report')}?month={data['month']:%Y-%m}")


class DataDayRuleSave(ClinicAdminPageMixin, View):
    """The clinic's choice of what makes a data day: any patient-entered log, or exercise logs only."""

    def post(self, request):
        try:
            data = api_input(api.BillingSettingsSerializer, {"data_day_rule": request.POST.get("data_day_rule", "")})
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            data_day_rule_set(clinic=request.user.clinic, **data)
            messages.success(request, "Data days are now counted from " + data["data_day_rule"].replace("_", " ") + ".")
        return redirect("dashboard:billing-report")


class CloseToThresholdPage(StaffPageMixin, View):
    """Patients whose running period can still reach its next band, nearest first."""

    def get(self, request):
        close = close_to_threshold(clinic=request.user.clinic)
        _audit(request, [item["row"]["patient"]["id"] for item in close])
        return render(request, "dashboard/billing/close_to_threshold.html", {"nav": "billing-close", "close": close})
