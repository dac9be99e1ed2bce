"""Creating, reading and changing a patient; moving them to another protocol; review outcomes."""

from datetime import timedelta

import pytest

from patients.api.base import ClinicScopedViewSet
from patients.models import ActivationCode, AuditEntry, Patient
from patients.services.activation import patient_activate
from rehab.alerts.models import Alert
from rehab.care.models import Enrollment, Milestone
from rehab.reminders.models import Reminder
from tests.factories import PhysioFactory
from tests.support.clinician_api import NOW, START, TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")


def test_creating_a_patient_enrols_them_and_answers_with_an_activation_code_that_works(clinic, physio):
    body = {
        "display_name": "Mo",
        "timezone": "Europe/Berlin",
        "side": "both",
        "condition": "achilles_heterotopic_ossification",
        "protocol": "conservative-achilles-ho",
        "start_date": TODAY.isoformat(),
        "assigned_physio": physio.pk,
        "comorbidities": ["kidney_disease"],
        "biomechanics": {"heel_varus": True, "pes_planus": False},
        "exercise_overrides": [
            {"exercise": "eccentric-heel-drop-bent-knee", "sets": 2, "reps": 10, "times_per_day": 1}
        ],
    }
    response = client_for(physio).post("/api/v1/patients/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    patient = Patient.objects.get(pk=data["id"])
    assert patient.clinic == clinic and patient.assigned_physio == physio
    assert data["assigned_physio"] == {"id": physio.pk, "display_name": "Alice"}
    assert [e["protocol"] for e in data["enrollments"]] == ["conservative-achilles-ho"]
    assert data["milestones"][0]["code"] == "baseline"
    user = patient_activate(activation_code=data["activation_code"], username="mo", password="a-long-passphrase-9")
    assert user.patient == patient


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"exercise_overrides": [{"exercise": "no-such", "sets": 1, "reps": 1, "times_per_day": 1}]},
         "exercise_overrides.0.exercise"),
        ({"protocol": "no-such-protocol"}, "protocol"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"comorbidities": ["gout"]}, "comorbidities.0"),
        ({"surprise": 1}, "surprise"),
    ],
)  # fmt: skip
def test_creating_a_patient_with_bad_input_is_a_400_naming_the_field(physio, change, field):
    body = {
        "display_name": "Mo",
        "timezone": "Europe/Berlin",
        "side": "left",
        "condition": "calcific_insertional_tendinopathy",
        "protocol": "conservative-calcific-iat",
        "start_date": TODAY.isoformat(),
        **change,
    }
    response = client_for(physio).post("/api/v1/patients/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Patient.objects.exists()


def test_a_physio_of_another_clinic_cannot_be_assigned(physio, other_physio, our_patient):
    response = client_for(physio).patch(
        f"/api/v1/patients/{our_patient.pk}/", {"assigned_physio": other_physio.pk}, format="json"
    )
    assert response.status_code == 400
    assert "assigned_physio" in response.json()["error"]["fields"]


def test_the_record_has_enrolments_milestones_with_who_decided_and_recent_logs(physio, our_patient):
    review = Milestone.objects.get(enrollment__patient=our_patient, code="review-6-8-weeks")
    client = client_for(physio)
    client.post(
        f"/api/v1/patients/{our_patient.pk}/milestones/review-6-8-weeks/outcome/", {"outcome": "met"}, format="json"
    )
    data = client.get(f"/api/v1/patients/{our_patient.pk}/").json()
    decided = {m["code"]: m for m in data["milestones"]}[review.code]
    assert decided["status"] == "met" and decided["decided_by"] == {"id": physio.pk, "display_name": "Alice"}
    assert {m["code"]: m for m in data["milestones"]}["baseline"]["decided_by"] is None
    assert data["enrollments"][0]["current"] is True and data["enrollments"][0]["end_date"] is None
    assert set(data["recent_logs"]) == {"pain_logs", "exercise_logs", "visa_a", "symptom_reports", "medication_logs"}


def test_discharging_sets_the_date_and_cancels_reminders_not_yet_sent(physio, our_patient):
    pending = Reminder.objects.create(
        patient=our_patient, kind="exercise", slot="2026-03-11", due_at=NOW + timedelta(days=1), title="t", body="b",
        created_at=NOW,
    )  # fmt: skip
    sent = Reminder.objects.create(
        patient=our_patient, kind="exercise", slot="2026-03-09", due_at=NOW - timedelta(days=1), title="t", body="b",
        created_at=NOW, status="sent",
    )  # fmt: skip
    response = client_for(physio).patch(f"/api/v1/patients/{our_patient.pk}/", {"status": "discharged"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "discharged" and response.json()["discharged_at"] is not None
    pending.refresh_from_db()
    sent.refresh_from_db()
    assert pending.status == "cancelled" and sent.status == "sent"


def test_a_new_activation_code_stops_the_old_one(physio, our_patient):
    client = client_for(physio)
    first = client.post(f"/api/v1/patients/{our_patient.pk}/activation-code/").json()["activation_code"]
    second = client.post(f"/api/v1/patients/{our_patient.pk}/activation-code/").json()["activation_code"]
    assert first != second
    assert ActivationCode.objects.filter(patient=our_patient, revoked_at__isnull=True).count() == 1


def test_moving_to_surgery_keeps_history_ends_the_old_enrolment_the_day_before_and_cancels_its_reviews(
    physio, our_patient
):
    surgery = TODAY - timedelta(days=10)
    response = client_for(physio).post(
        f"/api/v1/patients/{our_patient.pk}/enrollments/",
        {"protocol": "post-surgical-calcific-iat", "start_date": surgery.isoformat(), "reason": "resection"},
        format="json",
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["protocol"] == "post-surgical-calcific-iat" and new["current"] is True
    statuses = {m["code"]: m["status"] for m in new["milestones"]}
    assert statuses["end-immobilisation"] == "skipped"  # day 7 closed before today
    assert statuses["review-12-weeks"] == "pending"
    old = Enrollment.objects.get(patient=our_patient, start_date=START)
    assert old.end_date == surgery - timedelta(days=1)
    old_statuses = {m.code: m.status for m in old.milestones.all()}
    assert old_statuses["review-6-8-weeks"] == "cancelled" and old_statuses["check-6-months"] == "cancelled"
    assert old.end_reason == "resection"
    record = client_for(physio).get(f"/api/v1/patients/{our_patient.pk}/").json()
    assert [e["protocol"] for e in record["enrollments"]] == ["post-surgical-calcific-iat", "conservative-calcific-iat"]


def test_a_move_that_would_overlap_a_later_enrolment_is_a_409(physio, our_patient):
    response = client_for(physio).post(
        f"/api/v1/patients/{our_patient.pk}/enrollments/",
        {"protocol": "conservative-calcific-iat", "start_date": (START - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_a_not_met_outcome_raises_the_referral_and_keeps_who_and_when(physio, our_patient):
    url = f"/api/v1/patients/{our_patient.pk}/milestones/review-6-8-weeks/outcome/"
    response = client_for(physio).post(url, {"outcome": "not_met", "note": "no better"}, format="json")
    assert response.status_code == 200
    assert response.json()["decided_by"]["id"] == physio.pk
    assert response.json()["decided_at"] == NOW.isoformat().replace("+00:00", "Z")
    assert Alert.objects.get(patient=our_patient).code == "review_not_improved"


def test_overriding_an_outcome_needs_a_note(physio, our_patient):
    url = f"/api/v1/patients/{our_patient.pk}/milestones/review-6-8-weeks/outcome/"
    client = client_for(physio)
    assert client.post(url, {"outcome": "met"}, format="json").status_code == 200
    refused = client.post(url, {"outcome": "bridge"}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()["error"]["fields"]
    done = client.post(url, {"outcome": "bridge", "note": "boot as bridge, no surgery wanted"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "bridge"


@pytest.mark.parametrize("code", ["baseline", "check-3-months"])
def test_an_outcome_for_a_milestone_that_is_not_an_open_review_is_a_409(physio, our_patient, code):
    url = f"/api/v1/patients/{our_patient.pk}/milestones/{code}/outcome/"
    response = client_for(physio).post(url, {"outcome": "met"}, format="json")
    assert response.status_code == 409


def test_an_outcome_for_an_unknown_milestone_is_a_404(physio, our_patient):
    url = f"/api/v1/patients/{our_patient.pk}/milestones/nope/outcome/"
    assert client_for(physio).post(url, {"outcome": "met"}, format="json").status_code == 404


def test_reading_a_record_leaves_an_audit_entry(physio, our_patient):
    client_for(physio).get(f"/api/v1/patients/{our_patient.pk}/pain-logs/", REMOTE_ADDR="192.0.2.7")
    entry = AuditEntry.objects.get(actor=physio)
    assert entry.patient == our_patient and entry.action == "read" and entry.at == NOW
    assert entry.resource == f"/api/v1/patients/{our_patient.pk}/pain-logs/" and entry.ip_address == "192.0.2.7"


def test_a_refused_read_leaves_no_audit_entry_for_the_patient(other_physio, our_patient):
    client_for(other_physio).get(f"/api/v1/patients/{our_patient.pk}/")
    assert not AuditEntry.objects.filter(patient=our_patient).exists()


def test_a_view_cannot_override_get_queryset():
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Leaky(ClinicScopedViewSet):
            def get_queryset(self):
                return Patient.objects.all()


def test_physios_of_the_clinic_can_be_assigned(clinic, physio, our_patient):
    colleague = PhysioFactory(clinic=clinic)
    response = client_for(physio).patch(
        f"/api/v1/patients/{our_patient.pk}/", {"assigned_physio": colleague.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["assigned_physio"]["id"] == colleague.pk
