"""The new-patient form and its answer, the activation code to print (the patient-page actions come later)."""

import uuid

from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from config import clock
from config.client_address import client_address
from config.errors import DomainError
from patients.api.serializers import TIMEZONES
from patients.models import Patient
from patients.services.audit import audit_record
from protocols.selectors import protocol_versions_latest
from rehab.dashboard.access import StaffPageMixin
from rehab.dashboard.actions import new_patient as form
from rehab.dashboard.actions.activation import activation_sheet
from rehab.dashboard.actions.forms import api_input, refusal_fields
from rehab.dashboard.actions.once import (
    FormExpired,
    form_token_new,
    form_token_read,
    shown_once_keep,
    submission_of,
    submit_once,
)
from rehab.records.api.serializers import PatientCreateSerializer
from rehab.records.services import patient_register

ACTION = "patient_create"


def _page(request, *, typed: form.Typed, token: str, errors: dict | None = None, status: int = 200):
    return render(
        request,
        "dashboard/actions/patient_new.html",
        {
            "nav": "patient-new",
            "typed": typed,
            "errors": errors or {},
            "form_token": token,
            "protocols": form.protocol_choices(),
            "staff": form.clinic_staff(request.user.clinic_id),
            "time_zones": TIMEZONES,
            "sides": form.SIDES,
            "conditions": form.CONDITIONS,
            "comorbidity_choices": form.COMORBIDITIES,
            "biomechanics_choices": [(name, name.replace("_", " ").capitalize()) for name in form.BIOMECHANICS],
        },
        status=status,
    )


def _first_form(request) -> form.Typed:
    """The blank form: assigned to me, in the clinic's zone, starting today, on the first protocol."""
    clinic = request.user.clinic
    versions = protocol_versions_latest()
    protocol = min(versions) if versions else ""
    values = {
        "display_name": "",
        "timezone": clinic.time_zone,
        "side": "",
        "condition": "",
        "protocol": protocol,
        "start_date": clock.local_today(clinic.time_zone).isoformat(),
        "assigned_physio": str(request.user.pk),
    }
    rows = form.protocol_exercises(versions.get(protocol))
    return form.Typed(values=values, comorbidities=[], biomechanics=[], overrides=rows)


class PatientNewPage(StaffPageMixin, View):
    def get(self, request):
        return _page(request, typed=_first_form(request), token=form_token_new())

    def post(self, request):
        typed = form.typed_from(request.POST, versions=protocol_versions_latest())
        body, sent_rows = form.api_body(typed)

        def perform(submission):
            data = api_input(PatientCreateSerializer, body)
            patient, code = patient_register(clinic=request.user.clinic, by=request.user, **data)
            submission.patient = patient
            shown_once_keep(submission.token, code)
            # The entry POST /patients/ writes: who created which patient, when, from where.
            audit_record(
                actor=request.user,
                action="create",
                resource=request.get_full_path(),
                patient_ids=[patient.pk],
                ip_address=client_address(request),
            )

        try:
            token = form_token_read(request.POST)
            submission, _ = submit_once(token=token, actor=request.user, action=ACTION, perform=perform)
        except DomainError as exc:
            again = form_token_new() if isinstance(exc, FormExpired) else str(token)
            errors = form.errors_placed(typed, refusal_fields(exc), sent_rows)
            return _page(request, typed=typed, token=again, errors=errors, status=400)
        return redirect("dashboard:patient-new-code", token=submission.token)


class ExerciseRowsFragment(StaffPageMixin, View):
    """The exercise dosage rows of the protocol chosen (htmx, when the protocol select changes)."""

    def get(self, request):
        version = protocol_versions_latest().get(request.GET.get("protocol", ""))
        typed = form.Typed(values={}, comorbidities=[], biomechanics=[], overrides=form.protocol_exercises(version))
        return render(request, "dashboard/actions/_exercise_rows.html", {"typed": typed})


class ActivationCodePage(StaffPageMixin, View):
    """The form's answer: the new patient's activation code and its QR code, to print.

    Reached by the form's token, and only by who sent it (anyone else, another clinic's staff
    included, gets 404). The code is shown while the cache keeps it; later, a new one is issued
    from the patient's page.
    """

    def get(self, request, token: uuid.UUID):
        submission = submission_of(token=token, actor=request.user, action=ACTION)
        if submission is None or submission.patient_id is None:
            raise Http404("No such new patient.")
        patient = Patient.objects.filter(pk=submission.patient_id, clinic_id=request.user.clinic_id).first()
        if patient is None:
            raise Http404("No such new patient.")
        audit_record(
            actor=request.user,
            action="read",
            resource=request.get_full_path(),
            patient_ids=[patient.pk],
            ip_address=client_address(request),
        )
        return render(request, "dashboard/actions/activation_code.html", activation_sheet(token=token, patient=patient))
