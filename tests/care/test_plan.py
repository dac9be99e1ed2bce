from datetime import date, datetime, timedelta

import pytest
import time_machine

from config import clock
from patients.models import Patient
from rehab.care.models import Milestone
from tests.factories import enrolled_patient
from tests.support.patient_api import START, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PLAN = "/api/v1/me/plan/"


def test_the_plan_for_today_follows_the_protocol(patient_client):
    response = patient_client.get(PLAN)
    assert response.status_code == 200
    plan = response.json()
    assert plan["date"] == "2026-03-10"
    assert plan["day"] == 9
    assert plan["protocol"]["code"] == "conservative-calcific-iat"
    assert plan["phase"]["code"] == "conservative-trial"
    assert {e["code"] for e in plan["exercises"]} >= {"calf-stretch", "eccentric-heel-drop-straight-knee"}
    assert plan["next_milestone"]["code"] == "review-6-8-weeks"


def test_the_plan_uses_the_patients_own_dosage(patient, patient_client):
    patient.exercise_overrides = [{"exercise": "calf-stretch", "sets": 5, "reps": 2, "times_per_day": 3}]
    patient.save()
    stretch = next(e for e in patient_client.get(PLAN).json()["exercises"] if e["code"] == "calf-stretch")
    assert (stretch["sets"], stretch["reps"], stretch["times_per_day"]) == (5, 2, 3)


def test_a_decided_milestone_is_not_the_next_one(patient, patient_client):
    assert patient_client.get(PLAN).json()["next_milestone"]["code"] == "review-6-8-weeks"
    Milestone.objects.filter(enrollment__patient=patient, code="review-6-8-weeks").update(status=Milestone.Status.MET)
    assert patient_client.get(PLAN).json()["next_milestone"]["code"] == "check-3-months"


def test_a_day_before_the_start_is_a_404(patient_client):
    response = patient_client.get(PLAN, {"date": "2026-02-28"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_patient_without_an_enrolment_has_no_plan(clinic):
    from tests.factories import PatientFactory

    patient = PatientFactory(clinic=clinic)
    assert client_for(patient.user).get(PLAN).status_code == 404


def test_a_day_after_discharge_is_a_404(patient, patient_client):
    patient.status = Patient.Status.DISCHARGED
    patient.discharged_at = clock.now() - timedelta(days=2)
    patient.save()
    assert patient_client.get(PLAN, {"date": "2026-03-08"}).status_code == 200
    assert patient_client.get(PLAN, {"date": "2026-03-09"}).status_code == 404


def test_a_malformed_date_is_a_400(patient_client):
    response = patient_client.get(PLAN, {"date": "10/03/2026"})
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]


def test_sydney_and_los_angeles_patients_see_their_own_today_at_the_same_instant():
    sydney = enrolled_patient(start=START, timezone="Australia/Sydney")
    los_angeles = enrolled_patient(start=START, timezone="America/Los_Angeles")
    # 2026-03-10 12:00Z is 23:00 on the 10th in Sydney and 05:00 on the 10th in Los Angeles;
    # at 14:00Z Sydney has moved on to the 11th while Los Angeles is still on the 10th.
    with time_machine.travel(datetime(2026, 3, 10, 14, 0, tzinfo=clock.UTC), tick=False):
        sydney_plan = client_for(sydney.user).get(PLAN).json()
        la_plan = client_for(los_angeles.user).get(PLAN).json()
    assert (sydney_plan["date"], sydney_plan["day"]) == ("2026-03-11", 10)
    assert (la_plan["date"], la_plan["day"]) == ("2026-03-10", 9)


def test_post_surgical_plan_reports_boot_and_heel_lift(post_surgical_patient):
    plan = client_for(post_surgical_patient.user).get(PLAN).json()
    assert plan["day"] == 29
    assert plan["phase"]["code"] == "boot-heel-lift"
    assert plan["boot"] is True
    assert plan["heel_lift_cm"] is not None
    assert date.fromisoformat(plan["phase"]["start"]) == START - timedelta(days=20) + timedelta(days=7)
