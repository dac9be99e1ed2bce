"""POST /api/v1/patients/{id}/erase/: the person goes, the clinic's medical record stays, pseudonymised."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from patients.api.serializers import tokens_for
from patients.models import AuditEntry, Device
from rehab.alerts.models import Alert, AlertEvent, Delivery, WebhookEndpoint
from rehab.alerts.services.alerts import alert_resolve
from rehab.alerts.services.delivery import delivery_sweep
from rehab.billing.models import ClosedRow, MonthClose, TimeEntry
from rehab.billing.services.time_entries import time_entry_record
from rehab.care.models import Milestone
from rehab.exchange.models import Erasure
from rehab.logs.models import PainLog
from rehab.reminders.models import Reminder
from tests.config.test_error_shape import assert_error
from tests.exchange.conftest import SECRET_WORDS
from tests.factories import ClinicAdminFactory, enrolled_patient
from tests.support.clinician_api import NOW, START
from tests.support.patient_api import client_for
from tests.support.receiver import Receiver, body_of, signature_valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def erase(client, patient_id):
    return client.post(f"/api/v1/patients/{patient_id}/erase/")


def discharge(physio_client, patient) -> None:
    response = physio_client.patch(f"/api/v1/patients/{patient.pk}/", {"status": "discharged"}, format="json")
    assert response.status_code == 200


def rows_holding(needles: list[str]) -> list[str]:
    """Every model's text columns (JSON read as text) that hold any of the needles, as "model.field"."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            anywhere = Q()
            for needle in needles:
                anywhere |= Q(_text__icontains=needle)
            if model._default_manager.annotate(_text=Cast(field.name, TextField())).filter(anywhere).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.fixture
def erased(record, physio_client, admin_client, physio, other_patient):
    """The record, partly delivered to the clinic, discharged, signed in again from the phone, searched
    for by name, then erased; with what identified Ruth, and her tokens from after the discharge."""
    patient, user = record["patient"], record["user"]
    with Receiver(statuses=[503]) as receiver:
        WebhookEndpoint.objects.filter(clinic=patient.clinic).update(url=receiver.url)
        delivery_sweep()  # every event so far: tried, refused, waiting for a retry (not yet sent)
    with Receiver() as receiver:
        Delivery.objects.update(next_attempt_at=NOW)
        first = Delivery.objects.order_by("created_at", "id").first()
        Delivery.objects.exclude(pk=first.pk).update(next_attempt_at=NOW + timedelta(days=1))
        delivery_sweep()  # one is delivered; the others still wait
    alert_resolve(alert=record["referral"], by=physio, note=f"{SECRET_WORDS} (resolved)")  # not yet fanned out
    closed = MonthClose.objects.create(
        clinic=patient.clinic, month=START.replace(day=1), closed_by=physio, closed_at=NOW
    )
    figures = {"patient": {"id": patient.pk, "display_name": patient.display_name}, "minutes": 21}
    ClosedRow.objects.create(close=closed, patient=patient, figures=figures)  # a billed month, frozen
    time_entry_record(
        patient=patient, by=physio, activity="call", started_at=NOW - timedelta(hours=2), minutes=12,
        interactive=True, note=f"{SECRET_WORDS} (call)",
    )  # fmt: skip
    discharge(physio_client, patient)
    tokens = tokens_for(user)  # a discharged patient signs in again to read their history
    assert physio_client.get("/api/v1/patients/", {"search": "Ruth Ellison"}).status_code == 200
    identity = [
        patient.display_name, user.username, user.first_name, user.last_name, user.email, SECRET_WORDS,
        "Kenalog by Dr Rhys", "Ibuprofen", record["device"].token, tokens["refresh"], "Ruth%20Ellison",
    ]  # fmt: skip
    assert rows_holding(identity), "the record holds the identity before erasure"
    other_before = _export_of(client_for(physio), other_patient)
    kept_before = _kept(patient)
    response = erase(admin_client, patient.pk)
    assert response.status_code == 200, response.content
    return {**record, "identity": identity, "tokens": tokens, "other_before": other_before,
            "kept_before": kept_before, "response": response.json()}  # fmt: skip


@pytest.fixture
def other_patient(clinic):
    return enrolled_patient(start=START, clinic=clinic, display_name="Zelda")


def _export_of(client, patient) -> dict:
    bundle = client.get(f"/api/v1/fhir/Patient/{patient.pk}/$everything").json()
    bundle.pop("timestamp")
    return bundle


def _kept(patient) -> dict:
    """What the clinic must keep as the medical record."""
    return {
        "pain": list(PainLog.objects.filter(patient=patient).order_by("id").values_list("id", "score", "recorded_at")),
        "milestones": list(
            Milestone.objects.filter(enrollment__patient=patient).order_by("id").values_list("code", "status")
        ),
        "alerts": list(Alert.objects.filter(patient=patient).order_by("id").values_list("id", "code", "status")),
        "billed": [r.figures["minutes"] for r in ClosedRow.objects.filter(patient=patient)],
        "time": list(TimeEntry.objects.filter(patient=patient).values_list("id", "minutes", "interactive")),
    }


def test_after_erasure_no_table_holds_the_name_username_tokens_or_free_text(erased):
    assert rows_holding(erased["identity"]) == []


def test_the_patient_is_listed_under_the_pseudonym_and_the_medical_record_is_kept(erased, physio_client):
    patient = erased["patient"]
    pseudonym = f"Erased patient #{patient.pk}"
    assert erased["response"]["display_name"] == pseudonym and erased["response"]["id"] == patient.pk
    rows = physio_client.get("/api/v1/patients/", {"status": "discharged"}).json()["results"]
    assert [r["display_name"] for r in rows if r["id"] == patient.pk] == [pseudonym]
    alerts = physio_client.get("/api/v1/alerts/", {"patient": patient.pk}).json()["results"]
    assert alerts and {a["patient"]["display_name"] for a in alerts} == {pseudonym}
    assert _kept(patient) == erased["kept_before"]
    assert not Device.objects.filter(patient=patient).exists()
    assert not Reminder.objects.filter(patient=patient).exists()


def test_the_old_refresh_token_and_a_replayed_log_from_the_old_phone_are_refused(erased, anon_client):
    refresh = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": erased["tokens"]["refresh"]}, format="json")
    assert_error(refresh, 401, "not_authenticated")
    phone = client_for(None)
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {erased['tokens']['access']}")
    body = {"client_id": str(erased["pains"][0].client_id), "recorded_at": NOW.isoformat(), "score": 4}
    assert_error(phone.post("/api/v1/me/pain-logs/", body, format="json"), 401, "not_authenticated")
    assert_error(phone.post("/api/v1/me/sync/", {"pain_logs": [body]}, format="json"), 401, "not_authenticated")
    sign_in = {"username": erased["user"].username, "password": "correct-horse-battery"}  # as before erasure
    assert_error(anon_client.post("/api/v1/auth/token/", sign_in, format="json"), 401, "not_authenticated")


def test_another_patients_export_is_unchanged(erased, physio, other_patient):
    assert _export_of(client_for(physio), other_patient) == erased["other_before"]


def test_nothing_not_yet_sent_goes_out_and_what_was_sent_names_the_pseudonym(erased):
    patient = erased["patient"]
    events = AlertEvent.objects.filter(alert__patient=patient)
    assert not Delivery.objects.filter(event__in=events, status__in=["pending", "sending"]).exists()
    assert Delivery.objects.filter(event__in=events, status="delivered").count() == 1
    assert all(e.dispatched_at is not None for e in events)
    assert {e.payload["alert"]["patient"]["display_name"] for e in events} == {f"Erased patient #{patient.pk}"}


def test_the_clinic_hears_patient_erased_with_the_id_only(erased):
    patient = erased["patient"]
    event = AlertEvent.objects.get(type="patient.erased")
    assert event.alert is None and event.clinic_id == patient.clinic_id
    with Receiver() as receiver:
        WebhookEndpoint.objects.filter(clinic=patient.clinic).update(url=receiver.url)
        delivery_sweep()
    [request] = [r for r in receiver.requests if body_of(r)["type"] == "patient.erased"]
    assert signature_valid("s3cret", request)
    assert request["headers"]["X-Rehab-Event-Id"] == str(event.id)
    assert body_of(request) == {
        "id": str(event.id), "type": "patient.erased", "created_at": NOW.isoformat(), "patient": {"id": patient.pk}
    }  # fmt: skip


def test_the_audit_trail_keeps_who_erased_and_when(erased, clinic_admin):
    entry = AuditEntry.objects.get(action="erase")
    assert (entry.actor, entry.patient, entry.at) == (clinic_admin, erased["patient"], NOW)
    assert Erasure.objects.get(patient=erased["patient"]).erased_by == clinic_admin


def test_erasing_again_answers_200_and_changes_nothing(erased, admin_client):
    before = _everything_stored()
    again = erase(admin_client, erased["patient"].pk)
    assert again.status_code == 200
    assert again.json() == erased["response"]
    assert _everything_stored() == before


def _everything_stored() -> dict:
    """Every row of every table but the audit trail (the second request is itself audited)."""
    return {
        model._meta.label: sorted(map(repr, model._default_manager.values_list()))
        for model in apps.get_models()
        if model is not AuditEntry and not model._meta.proxy and model._meta.managed
    }


def test_an_active_patient_is_a_409(admin_client, our_patient):
    assert_error(erase(admin_client, our_patient.pk), 409, "conflict")
    our_patient.refresh_from_db()
    assert our_patient.display_name == "Ruth" and not Erasure.objects.exists()


def test_only_a_clinic_admin_of_the_patients_clinic_may_erase(physio_client, patient_client, our_patient, physio):
    discharge(physio_client, our_patient)
    assert_error(erase(physio_client, our_patient.pk), 403, "permission_denied")
    assert_error(erase(patient_client, our_patient.pk), 403, "permission_denied")
    assert_error(erase(client_for(ClinicAdminFactory()), our_patient.pk), 404, "not_found")
    assert not Erasure.objects.exists()
