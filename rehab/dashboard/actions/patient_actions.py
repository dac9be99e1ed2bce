"""What a physio does from a patient's page, each through the service the API calls, validated as the API validates.

Review outcomes, clinical events, protocol moves, the record's comorbidities, biomechanics and
dosage, discharge, and a new activation code. Every form is sent once (rehab.dashboard.actions.once),
leaves the API's audit entry for the same change, and without script answers with a redirect back
to the patient's page. A refusal shows the page again with the form as it was typed and the API's
messages on its fields. The outcome and event forms also work in place (htmx): the answer is the
page itself, from which htmx takes the actions, the header, the timeline and the alerts.
"""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from config.client_address import client_address
from config.errors import Conflict, DomainError, FieldErrors
from patients.models import Patient
from patients.services.activation import activation_code_issue
from patients.services.audit import audit_record
from protocols.selectors import protocol_version_latest
from rehab.care.api.serializers import EnrollmentStartSerializer
from rehab.care.models import Milestone
from rehab.care.selectors.milestones import milestone_for_outcome
from rehab.care.services.enrollment import enrollment_start
from rehab.dashboard.actions import patient_forms as forms
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
from rehab.dashboard.pages.common import ClinicPageMixin, patient_page_context
from rehab.records.api.serializers import PatientChangeSerializer
from rehab.records.services import patient_update
from rehab.rules.api.serializers import ClinicalEventSerializer, OutcomeSerializer
from rehab.rules.services.clinical_events import clinical_event_record
from rehab.rules.services.reviews import milestone_outcome_record


def patient_page(request, patient: Patient, *, refused=None, done=None, status: int = 200):
    """The patient's page as PatientPage renders it, with one action's form refused or done."""
    context = {
        **patient_page_context(patient, clinic=request.user.clinic),
        "action_refused": refused,
        "action_done": done,
    }
    return render(request, "dashboard/patients/detail.html", context, status=status)


def _audit(request, patient: Patient, action: str) -> None:
    """The entry the API's view writes for the same change (patients.api.base): who, which patient, when."""
    audit_record(
        actor=request.user,
        action=action,
        resource=request.get_full_path(),
        patient_ids=[patient.pk],
        ip_address=client_address(request),
    )


class PatientAction(ClinicPageMixin, View):
    """POST one form of the patient's page: validate as the API does, call its service once, answer."""

    form = ""  # patient_forms.OUTCOME, ...
    fields: tuple[str, ...] = ()
    audit_action = "create"  # the API's: POST is create, PATCH update
    conflict_field = "non_field_errors"  # where a refusal naming no field is shown

    def post(self, request, id: int):
        patient = get_object_or_404(Patient.objects.select_related("assigned_physio"), pk=id, clinic_id=self.clinic.pk)
        form = self.typed(request, patient)
        token = None

        def perform(submission):
            submission.patient = patient
            submission.result = self.perform(request, patient, form) or {}
            _audit(request, patient, self.audit_action)

        try:
            token = form_token_read(request.POST)
            submission, _ = submit_once(token=token, actor=request.user, action=self.action, perform=perform)
        except DomainError as exc:
            form.token = form_token_new() if isinstance(exc, FormExpired) else str(token)
            form.errors = self.place(form, refusal_fields(exc, field=self.conflict_field))
            # The page shows the patient again: the read is audited as the page's own GET is.
            _audit(request, patient, "read")
            # htmx swaps only 2xx answers; without it the status says what the API's would.
            status = 200 if request.htmx else (409 if isinstance(exc, Conflict) else 400)
            return patient_page(request, patient, refused=form, status=status)
        return self.answer(request, patient, submission)

    @property
    def action(self) -> str:
        return f"patient_{self.form}"

    def typed(self, request, patient: Patient) -> forms.ActionForm:
        return forms.ActionForm(self.form, values=forms.typed_values(request.POST, self.fields))

    def place(self, form: forms.ActionForm, errors: dict) -> dict:
        return forms.errors_placed(form, errors, names=(*self.fields, "form_token"))

    def perform(self, request, patient: Patient, form: forms.ActionForm) -> dict | None:
        raise NotImplementedError

    def done(self, submission) -> str:
        return "Saved."

    def answer(self, request, patient: Patient, submission):
        message = self.done(submission)
        if request.htmx:
            patient = Patient.objects.select_related("assigned_physio").get(pk=patient.pk)  # as changed
            return patient_page(request, patient, done={"form": self.form, "message": message})
        messages.success(request, message)
        return redirect(reverse("dashboard:patient", args=[patient.pk]) + f"#action-{self.form}")


class OutcomeRecord(PatientAction):
    """Record or override a review's outcome (POST /patients/{id}/milestones/{code}/outcome/)."""

    form = forms.OUTCOME
    fields = forms.OUTCOME_FIELDS
    conflict_field = "milestone"  # the API's 409: not a review, or its window has not opened

    def perform(self, request, patient, form):
        data = api_input(OutcomeSerializer, forms.outcome_body(form.values))
        milestone = milestone_of(patient, form.values["milestone"])
        milestone = milestone_outcome_record(milestone=milestone, by=request.user, **data)
        return {"milestone": milestone.code, "name": milestone.name, "outcome": milestone.status}

    def done(self, submission) -> str:
        outcome = forms.OUTCOME_LABELS.get(submission.result.get("outcome"), "")
        return f"Outcome recorded: {submission.result.get('name', 'the review')}, {outcome.lower()}."


def milestone_of(patient: Patient, code: str) -> Milestone:
    """The milestone the API's outcome endpoint would find; its 404 is a refusal on the field here."""
    if not code:
        raise FieldErrors.on("milestone", "This field is required.")
    milestone = milestone_for_outcome(patient=patient, code=code)
    if milestone is None:
        raise FieldErrors.on("milestone", f"No milestone {code} for this patient.")
    return milestone


class ClinicalEventRecord(PatientAction):
    """Record or plan a clinical event; the safety rules run on it (POST /patients/{id}/clinical-events/)."""

    form = forms.EVENT
    fields = forms.EVENT_FIELDS

    def perform(self, request, patient, form):
        data = api_input(ClinicalEventSerializer, forms.event_body(form.values))
        event = clinical_event_record(
            patient=patient,
            kind=data["kind"],
            on=data["date"],
            details=data["details"],
            note=data["note"],
            by=request.user,
        )
        return {"event": event.pk, "kind": event.kind, "date": event.date.isoformat()}

    def done(self, submission) -> str:
        kind = forms.EVENT_LABELS.get(submission.result.get("kind"), "Event")
        return f"{kind} recorded for {submission.result.get('date')}."


class ProtocolMove(PatientAction):
    """Move the patient to another protocol (POST /patients/{id}/enrollments/)."""

    form = forms.MOVE
    fields = forms.MOVE_FIELDS
    conflict_field = "start_date"  # the API's 409: an enrolment already starts on or after that date

    def perform(self, request, patient, form):
        data = api_input(EnrollmentStartSerializer, forms.move_body(form.values))
        version = protocol_version_latest(data["protocol"])
        if version is None:
            raise FieldErrors.on("protocol", "No such protocol.")
        enrollment = enrollment_start(
            patient=patient,
            protocol_version=version,
            start_date=data["start_date"],
            reason=data["reason"],
            by=request.user,
        )
        return {"enrollment": enrollment.pk, "protocol": data["protocol"], "start_date": data["start_date"].isoformat()}

    def done(self, submission) -> str:
        return f"Moved to {submission.result.get('protocol')} from {submission.result.get('start_date')}."


class RecordChange(PatientAction):
    """Comorbidities, biomechanics and the patient's own exercise dosage (PATCH /patients/{id}/)."""

    form = forms.RECORD
    fields = ("comorbidities", "biomechanics", "exercise_overrides")
    audit_action = "update"

    def typed(self, request, patient):
        return forms.ActionForm(self.form, record=forms.typed_record(request.POST, patient=patient))

    def perform(self, request, patient, form):
        body, self.sent_rows = forms.record_body(form.record)
        data = api_input(PatientChangeSerializer, body, partial=True)
        patient_update(patient=patient, by=request.user, data=data)
        return None

    def place(self, form, errors):
        return forms.errors_placed(
            form, errors, names=(*self.fields, "form_token"), sent_rows=getattr(self, "sent_rows", [])
        )

    def done(self, submission) -> str:
        return "Comorbidities, biomechanics and dosage saved."


class Discharge(PatientAction):
    """Discharge, after a confirmation (PATCH /patients/{id}/ with status discharged): reminders stop."""

    form = forms.DISCHARGE
    audit_action = "update"

    def get(self, request, id: int):
        patient = get_object_or_404(Patient, pk=id, clinic_id=self.clinic.pk)
        _audit(request, patient, "read")
        context = {"nav": "patients", "patient": patient, "form_token": form_token_new()}
        return render(request, "dashboard/actions/discharge_confirm.html", context)

    def perform(self, request, patient, form):
        data = api_input(PatientChangeSerializer, {"status": Patient.Status.DISCHARGED}, partial=True)
        patient_update(patient=patient, by=request.user, data=data)
        return None

    def done(self, submission) -> str:
        return "Discharged: reminders stopped and the app's sessions ended."


class ActivationCodeIssue(PatientAction):
    """A new activation code; the old one stops working (POST /patients/{id}/activation-code/)."""

    form = forms.ACTIVATION

    def perform(self, request, patient, form):
        # Kept before the claim commits, so a repeat of this form finds the code to show.
        shown_once_keep(uuid.UUID(form.token), activation_code_issue(patient=patient, by=request.user))
        return None

    def typed(self, request, patient):
        return forms.ActionForm(self.form, token=request.POST.get("form_token", ""))

    def answer(self, request, patient, submission):
        return redirect("dashboard:patient-activation-code", id=patient.pk, token=submission.token)


class ActivationCodePage(ClinicPageMixin, View):
    """The new code with its QR code, to print: for who issued it, while the cache keeps it."""

    def get(self, request, id: int, token: uuid.UUID):
        patient = get_object_or_404(Patient, pk=id, clinic_id=self.clinic.pk)
        submission = submission_of(token=token, actor=request.user, action=f"patient_{forms.ACTIVATION}")
        if submission is None or submission.patient_id != patient.pk:
            raise Http404("No such activation code.")
        _audit(request, patient, "read")
        return render(request, "dashboard/actions/patient_code.html", activation_sheet(token=token, patient=patient))
