"""The Django admin is the operators' (superusers') console: no clinic user opens it, and what services
write (audit entries, alerts and their outbox) cannot be written by hand there."""

import pytest
from django.test import Client

from patients.models import AuditEntry, User
from rehab.alerts.models import Alert, AlertEvent, Delivery
from rehab.alerts.services.alerts import alert_raise

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories' password


@pytest.fixture
def operator():
    return User.objects.create_superuser("root", "root@example.com", "a-long-operator-passphrase")


@pytest.fixture
def operator_browser(operator):
    browser = Client()
    browser.force_login(operator)
    return browser


@pytest.mark.parametrize("who", ["clinic_admin", "physio"])
def test_a_clinic_user_with_is_staff_cannot_open_the_admin(request, who):
    user = request.getfixturevalue(who)
    user.is_staff = True
    user.save()
    browser = Client()
    browser.force_login(user)
    answer = browser.get("/admin/")
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
    assert browser.get("/admin/patients/patient/").status_code == 302


def test_a_clinic_user_with_is_staff_cannot_sign_in_to_the_admin(clinic_admin):
    clinic_admin.is_staff = True
    clinic_admin.save()
    browser = Client()
    answer = browser.post("/admin/login/?next=/admin/", {"username": "carol", "password": PASSWORD})
    assert answer.status_code == 200  # the form again, with its error: no session was opened
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/").status_code == 302


def test_an_operator_opens_the_admin(operator_browser):
    assert operator_browser.get("/admin/").status_code == 200
    assert operator_browser.get("/admin/patients/patient/").status_code == 200


def test_an_operator_can_sign_in_to_the_admin(operator):
    browser = Client()
    answer = browser.post("/admin/login/?next=/admin/", {"username": "root", "password": "a-long-operator-passphrase"})
    assert answer.status_code == 302 and answer["Location"] == "/admin/"


def test_audit_entries_are_read_only_in_the_admin(operator_browser, clinic_admin, our_patient, frozen_now):
    entry = AuditEntry.objects.create(
        actor=clinic_admin, clinic=our_patient.clinic, patient=our_patient, action="read", resource="/", at=frozen_now
    )
    url = f"/admin/patients/auditentry/{entry.pk}/"
    assert operator_browser.get("/admin/patients/auditentry/").status_code == 200
    assert operator_browser.get(url + "change/").status_code == 200  # the view page
    assert operator_browser.get("/admin/patients/auditentry/add/").status_code == 403
    assert operator_browser.post(url + "change/", {"action": "forged"}).status_code == 403
    assert operator_browser.post(url + "delete/", {"post": "yes"}).status_code == 403
    answer = operator_browser.post(
        "/admin/patients/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert answer.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.action == "read"


def test_alerts_cannot_be_created_or_changed_by_hand_in_the_admin(operator_browser, our_patient):
    alert, _ = alert_raise(patient=our_patient, code="pain_spike", reason="A spike.", evidence={})
    assert operator_browser.get("/admin/alerts/alert/").status_code == 200
    assert operator_browser.get("/admin/alerts/alert/add/").status_code == 403
    url = f"/admin/alerts/alert/{alert.pk}/change/"
    assert operator_browser.get(url).status_code == 200
    assert operator_browser.post(url, {"status": "resolved"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


@pytest.mark.parametrize("model", ["alertevent", "delivery"])
def test_the_outbox_cannot_be_written_by_hand_in_the_admin(operator_browser, model):
    assert operator_browser.get(f"/admin/alerts/{model}/").status_code == 200
    assert operator_browser.get(f"/admin/alerts/{model}/add/").status_code == 403


def test_the_outbox_rows_of_an_alert_are_read_only_in_the_admin(operator_browser, our_patient):
    alert, _ = alert_raise(patient=our_patient, code="pain_spike", reason="A spike.", evidence={})
    event = AlertEvent.objects.filter(alert=alert).first()
    assert event is not None
    assert operator_browser.post(f"/admin/alerts/alertevent/{event.pk}/change/", {}).status_code == 403
    delivery = Delivery.objects.filter(event=event).first()
    if delivery is not None:
        assert operator_browser.post(f"/admin/alerts/delivery/{delivery.pk}/change/", {}).status_code == 403
