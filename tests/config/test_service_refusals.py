"""What the API answers when a service refuses a request: the exact status, code, message and fields.

The services raise config.errors' kinds and the exception handler translates them;
these answers are the contract the phones and the dashboard branch on, so each is
pinned whole.
"""

import pytest

from config.api.errors import error_body
from patients.models import Patient
from patients.services.activation import activation_code_issue
from rehab.alerts.services.alerts import alert_raise
from tests.factories import PatientFactory
from tests.support.clinician_api import START, TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

ACTIVATE = "/api/v1/auth/activate/"
PASSWORD = "a-long-enough-Passphrase"


def assert_answer(response, status: int, code: str, message: str, fields: dict | None = None) -> None:
    assert (response.status_code, response.json()) == (status, error_body(code, message, fields))


def _invalid(*fields: str) -> str:
    return "The request is not valid: " + ", ".join(sorted(fields)) + "."


# ActivationInvalid


def test_an_unknown_activation_code_is_a_400_on_the_code(db):
    body = {"activation_code": "AAAA-BBBB-CCCC", "username": "carol", "password": PASSWORD}
    response = client_for(None).post(ACTIVATE, body, format="json")
    fields = {"activation_code": ["This activation code is not valid, used or expired."]}
    assert_answer(response, 400, "validation_error", _invalid("activation_code"), fields)


def test_a_code_of_a_patient_discharged_since_is_a_400_on_the_code(clinic, physio):
    patient = PatientFactory(clinic=clinic, user=None)
    code = activation_code_issue(patient=patient, by=physio)
    Patient.objects.filter(pk=patient.pk).update(status=Patient.Status.DISCHARGED)
    body = {"activation_code": code, "username": "carol", "password": PASSWORD}
    response = client_for(None).post(ACTIVATE, body, format="json")
    fields = {"activation_code": ["This patient has been discharged."]}
    assert_answer(response, 400, "validation_error", _invalid("activation_code"), fields)


def test_a_taken_username_is_a_400_on_the_username(clinic, physio):
    code = activation_code_issue(patient=PatientFactory(clinic=clinic, user=None), by=physio)
    body = {"activation_code": code, "username": "ALICE", "password": PASSWORD}
    response = client_for(None).post(ACTIVATE, body, format="json")
    assert_answer(response, 400, "validation_error", _invalid("username"), {"username": ["This username is taken."]})


# PatientDischarged


def test_a_discharged_patients_activation_code_is_a_409(physio, our_patient):
    Patient.objects.filter(pk=our_patient.pk).update(status=Patient.Status.DISCHARGED)
    response = client_for(physio).post(f"/api/v1/patients/{our_patient.pk}/activation-code/")
    message = "The patient has been discharged; activation codes are for active patients."
    assert_answer(response, 409, "conflict", message)


# ProfileForbidden


def test_staff_sending_quiet_hours_is_a_403(physio):
    body = {"quiet_hours": {"start": "22:00", "end": "07:00"}}
    response = client_for(physio).patch("/api/v1/me/", body, format="json")
    assert_answer(response, 403, "permission_denied", "Only a patient has a time zone and quiet hours here.")


# MilestoneConflict and OutcomeNoteRequired


def _outcome(physio, patient, code: str, body: dict):
    url = f"/api/v1/patients/{patient.pk}/milestones/{code}/outcome/"
    return client_for(physio).post(url, body, format="json")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("baseline", "baseline is not a review; it takes no outcome."),
        ("check-6-months", "check-6-months opens on 2026-07-05."),
    ],
)
def test_an_outcome_for_a_milestone_not_open_for_one_is_a_409_saying_why(physio, our_patient, code, message):
    assert_answer(_outcome(physio, our_patient, code, {"outcome": "met"}), 409, "conflict", message)


def test_an_outcome_for_a_review_of_an_ended_enrolment_is_a_409(physio, our_patient):
    moved = client_for(physio).post(
        f"/api/v1/patients/{our_patient.pk}/enrollments/",
        {"protocol": "post-surgical-calcific-iat", "start_date": TODAY.isoformat(), "reason": "resection"},
        format="json",
    )
    assert moved.status_code == 201, moved.content
    response = _outcome(physio, our_patient, "review-6-8-weeks", {"outcome": "met"})
    assert_answer(response, 409, "conflict", "review-6-8-weeks belongs to an enrolment that ended.")


def test_overriding_an_outcome_without_a_note_is_a_400_on_the_note(physio, our_patient):
    assert _outcome(physio, our_patient, "review-6-8-weeks", {"outcome": "met"}).status_code == 200
    response = _outcome(physio, our_patient, "review-6-8-weeks", {"outcome": "bridge"})
    fields = {"note": ["Overriding an outcome already recorded needs a note."]}
    assert_answer(response, 400, "validation_error", _invalid("note"), fields)


# ClinicalEventInvalid


def test_clinical_event_details_refused_are_a_400_naming_each_detail(physio, our_patient):
    body = {"kind": "imaging", "date": TODAY.isoformat(), "details": {"modality": "mri", "contrast": "yes"}}
    response = client_for(physio).post(f"/api/v1/patients/{our_patient.pk}/clinical-events/", body, format="json")
    fields = {
        "details.contrast": ["Not a detail of imaging."],
        "details.modality": ["Must be one of: radiograph, bone_scan."],
    }
    assert_answer(response, 400, "validation_error", _invalid(*fields), fields)


# PatientInvalid


def test_creating_a_patient_with_an_unknown_exercise_override_is_a_400_on_it(physio):
    body = {
        "display_name": "Mo",
        "timezone": "Europe/Berlin",
        "side": "left",
        "condition": "calcific_insertional_tendinopathy",
        "protocol": "conservative-calcific-iat",
        "start_date": TODAY.isoformat(),
        "exercise_overrides": [{"exercise": "no-such", "sets": 1, "reps": 1, "times_per_day": 1}],
    }
    response = client_for(physio).post("/api/v1/patients/", body, format="json")
    fields = {"exercise_overrides.0.exercise": ["Not an exercise of conservative-calcific-iat."]}
    assert_answer(response, 400, "validation_error", _invalid(*fields), fields)


def test_assigning_another_clinics_physio_is_a_400_on_the_field(physio, other_physio, our_patient):
    url = f"/api/v1/patients/{our_patient.pk}/"
    response = client_for(physio).patch(url, {"assigned_physio": other_physio.pk}, format="json")
    # Read as an id nobody has (tests/records/test_assigned_physio_messages.py): it is someone's elsewhere.
    fields = {"assigned_physio": [f'Invalid pk "{other_physio.pk}" - object does not exist.']}
    assert_answer(response, 400, "validation_error", _invalid("assigned_physio"), fields)


# EnrollmentOverlap


def test_a_move_before_the_current_enrolment_is_a_409_naming_its_start(physio, our_patient):
    body = {"protocol": "conservative-calcific-iat", "start_date": "2026-01-19"}
    response = client_for(physio).post(f"/api/v1/patients/{our_patient.pk}/enrollments/", body, format="json")
    message = f"The patient already has an enrolment starting {START.isoformat()}; a new one must start after it."
    assert_answer(response, 409, "conflict", message)


# WebhookInvalid


def test_a_first_webhook_without_a_secret_and_with_a_bad_url_is_a_400_on_both(clinic_admin):
    response = client_for(clinic_admin).put("/api/v1/clinic/webhook/", {"url": "ftp://example.com/x"}, format="json")
    fields = {
        "url": ["The webhook URL must be an http(s) URL with a host."],
        "secret": ["A secret is required for a new webhook."],
    }
    assert_answer(response, 400, "validation_error", _invalid(*fields), fields)


# AlertTransitionError


def test_acknowledging_a_resolved_alert_is_a_409(physio, our_patient):
    alert, _ = alert_raise(patient=our_patient, code="exercise_pain_high", reason="Pain 7/10.", evidence={})
    client = client_for(physio)
    assert client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {}, format="json").status_code == 200
    response = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert_answer(response, 409, "conflict", "A resolved alert cannot be acknowledged.")
