"""A patient with something of every kind in their record: what an export must carry and an erasure must clear."""

import uuid
from datetime import timedelta

import pytest

from config import clock
from patients.models import Device
from rehab.alerts.models import Alert, WebhookEndpoint
from rehab.alerts.services.alerts import alert_acknowledge
from rehab.care.models import ClinicalEvent, Milestone
from rehab.reminders.models import Reminder
from rehab.rules.services.reviews import milestone_outcome_record
from tests.support import logs
from tests.support.clinician_api import NOW, TODAY
from tests.support.patient_api import client_for

SECRET_WORDS = "Wobbly ladder on Tuesday"  # free text typed about the patient, in every note


@pytest.fixture
def record(our_patient, physio, clinic_admin):
    """Ruth of Alice's clinic, on day 49 of conservative care, with logs, outcomes, events, alerts,
    a device, a reminder, acknowledged and open alerts, and a webhook that has not yet been sent to."""
    patient = our_patient
    patient.side = "both"
    patient.assigned_physio = physio
    patient.save(update_fields=["side", "assigned_physio"])
    user = patient.user
    user.first_name, user.last_name, user.email = "Ruth", "Ellison", "ruth@example.org"
    user.save()
    WebhookEndpoint.objects.create(clinic=patient.clinic, url="http://127.0.0.1:9/hook", secret="s3cret")
    at = NOW - timedelta(days=2)
    pains = [logs.pain(patient, score, at - timedelta(hours=n), context) for n, (score, context) in
             enumerate([(6, "morning"), (4, "rest"), (5, "after_exercise")])]  # fmt: skip
    pains[0].note = f"{SECRET_WORDS} (pain)"
    pains[0].save(update_fields=["note"])
    exercise = logs.exercise(patient, at, pain_during=7)  # exercise_pain_high, an open guardrail alert
    visas = [logs.visa_a(patient, 55, at - timedelta(days=40)), logs.visa_a(patient, 61, at)]
    symptoms = logs.symptoms(patient, at, ["numbness"], tier="next_working_day")
    symptoms.note = f"{SECRET_WORDS} (symptoms)"
    symptoms.save(update_fields=["note"])
    injection = logs.medication(
        patient, TODAY - timedelta(days=3), "corticosteroid_injection", site="achilles", name="Kenalog by Dr Rhys"
    )
    nsaid = logs.medication(patient, TODAY - timedelta(days=1), name="Ibuprofen", indication=f"{SECRET_WORDS} (why)")
    surgery = ClinicalEvent.objects.create(
        patient=patient, kind="surgery", date=TODAY + timedelta(days=30), note=f"{SECRET_WORDS} (surgery)",
        recorded_by=physio,
    )  # fmt: skip
    review = Milestone.objects.get(enrollment__patient=patient, code="review-6-8-weeks")
    milestone_outcome_record(milestone=review, outcome="not_met", note=f"{SECRET_WORDS} (review)", by=physio)
    referral = Alert.objects.get(patient=patient, kind="referral")
    alert_acknowledge(alert=referral, by=physio, note=f"{SECRET_WORDS} (acknowledged)")
    device = Device.objects.create(patient=patient, platform="ios", token=f"apns-{uuid.uuid4().hex}")
    reminder = Reminder.objects.create(
        patient=patient, kind="exercise", slot=str(TODAY + timedelta(days=1)), due_at=NOW + timedelta(days=1),
        title="Ruth, time for your exercises", body="Three sets today.", created_at=clock.now(),
    )  # fmt: skip
    return {
        "patient": patient,
        "user": user,
        "pains": pains,
        "exercise": exercise,
        "visas": visas,
        "symptoms": symptoms,
        "medications": [injection, nsaid],
        "surgery": surgery,
        "referral": referral,
        "device": device,
        "reminder": reminder,
    }


@pytest.fixture
def admin_client(clinic_admin):
    return client_for(clinic_admin)
