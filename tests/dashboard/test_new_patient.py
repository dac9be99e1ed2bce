"""The new-patient form: the API's POST /patients/ from the web, ending on a printable activation code."""

import re
import threading
from html import unescape

import pytest
from django.db import connection
from django.test import Client

from patients.models import ActivationCode, AuditEntry, Patient
from rehab.care.models import Enrollment, Milestone
from tests.factories import PhysioFactory
from tests.support.clinician_api import TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

FORM = "/patients/new/"
EXERCISE = "eccentric-heel-drop-bent-knee"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_of(client) -> tuple[str, dict]:
    """The form's HTML, and what a browser would send back untouched (token, rows, selected values)."""
    html = client.get(FORM).content.decode()
    sent = {"form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1)}
    sent.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    sent.pop("csrfmiddlewaretoken", None)
    return html, sent


def row_of(html: str, exercise: str) -> int:
    return int(re.search(rf'name="exercise_overrides\.(\d+)\.exercise" value="{exercise}"', html).group(1))


def filled(client, physio, **changes) -> dict:
    html, sent = form_of(client)
    sent.update(
        {
            "display_name": "Mo",
            "timezone": "Europe/Berlin",
            "side": "both",
            "condition": "achilles_heterotopic_ossification",
            "protocol": "conservative-achilles-ho",
            "start_date": TODAY.isoformat(),
            "assigned_physio": str(physio.pk),
            "comorbidities": ["kidney_disease"],
            "biomechanics.heel_varus": "on",
        }
    )
    html = client.get(f"{FORM}exercises/?protocol=conservative-achilles-ho").content.decode()
    sent.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    index = row_of(html, EXERCISE)
    sent.update(
        {f"exercise_overrides.{index}.{n}": v for n, v in (("sets", "2"), ("reps", "10"), ("times_per_day", "1"))}
    )
    sent.update(changes)
    return sent


API_BODY = {
    "display_name": "Mo",
    "timezone": "Europe/Berlin",
    "side": "both",
    "condition": "achilles_heterotopic_ossification",
    "protocol": "conservative-achilles-ho",
    "start_date": TODAY.isoformat(),
    "comorbidities": ["kidney_disease"],
    "biomechanics": {"heel_varus": True},
    "exercise_overrides": [{"exercise": EXERCISE, "sets": 2, "reps": 10, "times_per_day": 1}],
}


def code_on(html: str) -> str | None:
    found = re.search(r'data-testid="activation-code">([^<]+)<', html)
    return found.group(1) if found else None


def stored(patient: Patient) -> dict:
    enrollment = Enrollment.objects.get(patient=patient)
    fields = ("display_name", "timezone", "side", "condition", "assigned_physio_id", "status", "clinic_id")
    return {
        **{f: getattr(patient, f) for f in fields},
        "comorbidities": patient.comorbidities,
        "biomechanics": patient.biomechanics,
        "exercise_overrides": patient.exercise_overrides,
        "enrollment": (enrollment.protocol_version_id, enrollment.start_date, enrollment.end_date),
        "milestones": list(
            Milestone.objects.filter(enrollment=enrollment)
            .order_by("code")
            .values_list("code", "window_start", "window_end", "status")
        ),
        "codes": ActivationCode.objects.filter(patient=patient, used_at__isnull=True, revoked_at__isnull=True).count(),
    }


# --- the blank form ----------------------------------------------------------------------------------------
def test_the_form_is_assigned_to_me_and_offers_the_protocol_library(clinic, physio):
    PhysioFactory(clinic=clinic, display_name="Dan")
    html, _ = form_of(signed_in(physio))
    selected = re.search(r'<select id="np-physio".*?</select>', html, re.S).group(0)
    assert re.search(rf'<option value="{physio.pk}" selected>Alice \(me\)</option>', selected)
    assert "Dan" in selected and '<option value="">Nobody</option>' in selected
    protocols = re.findall(
        r'<option value="([a-z-]+)"', re.search(r'<select id="np-protocol".*?</select>', html, re.S)[0]
    )
    assert protocols == ["conservative-achilles-ho", "conservative-calcific-iat", "post-surgical-calcific-iat"]
    assert f'value="{TODAY.isoformat()}"' in html and 'value="UTC"' in html  # today, the clinic's zone


def test_without_a_session_the_form_sends_to_the_sign_in(db):
    response = Client().get(FORM)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_dosage_rows_follow_the_protocol_chosen(physio):
    client = signed_in(physio)
    surgical = client.get(f"{FORM}exercises/?protocol=post-surgical-calcific-iat").content.decode()
    conservative = client.get(f"{FORM}exercises/?protocol=conservative-calcific-iat").content.decode()
    assert surgical != conservative and f'value="{EXERCISE}"' in conservative


# --- creating ----------------------------------------------------------------------------------------------
def test_the_page_creates_the_same_patient_as_the_api_for_the_same_input(clinic, physio):
    client = signed_in(physio)
    response = client.post(FORM, filled(client, physio))
    assert response.status_code == 302, response.content.decode()[:2000]
    by_page = Patient.objects.get()
    api = client_for(physio).post("/api/v1/patients/", {**API_BODY, "assigned_physio": physio.pk}, format="json")
    assert api.status_code == 201
    by_api = Patient.objects.get(pk=api.json()["id"])
    assert stored(by_page) == stored(by_api)
    assert by_page.exercise_overrides == [{"exercise": EXERCISE, "sets": 2, "reps": 10, "times_per_day": 1}]


def test_the_answer_shows_an_activation_code_and_its_qr_code_that_activate_the_patient(clinic, physio, anon_client):
    client = signed_in(physio)
    answer = client.get(client.post(FORM, filled(client, physio))["Location"])
    html = answer.content.decode()
    code = code_on(html)
    assert code and "<svg" in html and 'aria-label="QR code of the app link' in html
    assert f"rehab://activate?code={code}" in unescape(html)
    activated = anon_client.post(
        "/api/v1/auth/activate/",
        {"activation_code": code, "username": "mo-heel", "password": "a-long-passphrase-9"},
        format="json",
    )
    assert activated.status_code == 201, activated.content
    assert Patient.objects.get().user.username == "mo-heel"


def test_the_app_link_follows_the_setting(physio, settings):
    settings.ACTIVATION_LINK_TEMPLATE = "https://app.example.com/activate/{code}"
    client = signed_in(physio)
    html = client.get(client.post(FORM, filled(client, physio))["Location"]).content.decode()
    assert f"https://app.example.com/activate/{code_on(html)}" in html


def test_a_double_submit_creates_one_patient_and_both_answers_show_its_code(physio):
    client = signed_in(physio)
    sent = filled(client, physio)
    first, again = client.post(FORM, sent), client.post(FORM, sent)
    assert first["Location"] == again["Location"]
    assert Patient.objects.count() == 1 and ActivationCode.objects.count() == 1
    assert code_on(client.get(again["Location"]).content.decode())


def test_creating_is_audited_as_the_api_audits_it_with_who_and_when(clinic, physio, frozen_now):
    client = signed_in(physio)
    location = client.post(FORM, filled(client, physio))["Location"]
    client.get(location)
    patient = Patient.objects.get()
    created = AuditEntry.objects.get(action="create")
    assert (created.actor, created.patient, created.clinic, created.at) == (physio, patient, clinic, frozen_now)
    assert created.resource == FORM
    assert AuditEntry.objects.filter(action="read", patient=patient, resource=location).exists()


def test_a_clinic_admin_may_create_and_assign_nobody(clinic, clinic_admin):
    client = signed_in(clinic_admin)
    assert client.post(FORM, filled(client, clinic_admin, assigned_physio="")).status_code == 302
    assert Patient.objects.get().assigned_physio is None


# --- refusals ----------------------------------------------------------------------------------------------
def field_html(html: str, field_id: str) -> str:
    return re.search(rf'<div class="field has-error">(?:(?!<div class="field).)*?id="{field_id}".*?</div>', html, re.S)[
        0
    ]


def test_a_refused_zone_shows_the_apis_message_on_the_field_and_keeps_everything_typed(physio):
    client = signed_in(physio)
    response = client.post(FORM, filled(client, physio, timezone="Mars/Olympus", display_name="Mo Typed"))
    assert response.status_code == 400
    html = unescape(response.content.decode())
    api = client_for(physio).post("/api/v1/patients/", {**API_BODY, "timezone": "Mars/Olympus"}, format="json")
    [message] = api.json()["error"]["fields"]["timezone"]
    zone = field_html(html, "np-timezone")
    assert message in zone and 'value="Mars/Olympus"' in zone
    assert 'value="Mo Typed"' in html and 'value="kidney_disease" checked' in html
    assert 'name="biomechanics.heel_varus" checked' in html
    assert re.search(r'name="exercise_overrides\.\d+\.sets" value="2"', html)
    assert not Patient.objects.exists()


def test_a_dosage_row_half_filled_is_refused_on_that_row_with_the_apis_messages(physio):
    client = signed_in(physio)
    sent = filled(client, physio)
    index = next(k.split(".")[1] for k, v in sent.items() if k.endswith(".exercise") and v == EXERCISE)
    sent.update({f"exercise_overrides.{index}.reps": "", f"exercise_overrides.{index}.sets": "0"})
    response = client.post(FORM, sent)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    override = {"exercise": EXERCISE, "sets": 0, "times_per_day": 1}
    api = client_for(physio).post("/api/v1/patients/", {**API_BODY, "exercise_overrides": [override]}, format="json")
    fields = api.json()["error"]["fields"]
    for name in ("sets", "reps"):
        [message] = fields[f"exercise_overrides.0.{name}"]
        error = re.search(rf'<p class="field-error" id="ov-{index}-{name}-error" role="alert">([^<]+)</p>', html)
        assert error and error.group(1) == message
    assert not Patient.objects.exists()


def test_a_refused_form_goes_again_with_its_token_and_then_creates_once(physio):
    client = signed_in(physio)
    sent = filled(client, physio, display_name="")
    refused = client.post(FORM, sent)
    assert refused.status_code == 400 and "This field may not be blank." in refused.content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', refused.content.decode()).group(1)
    assert token == sent["form_token"]
    assert client.post(FORM, {**sent, "display_name": "Mo"}).status_code == 302
    assert Patient.objects.count() == 1


def test_the_answer_is_only_for_who_sent_the_form(clinic, physio, other_physio):
    client = signed_in(physio)
    location = client.post(FORM, filled(client, physio))["Location"]
    assert signed_in(other_physio).get(location).status_code == 404  # another clinic
    assert signed_in(PhysioFactory(clinic=clinic)).get(location).status_code == 404  # a colleague
    assert client.get(location).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_form_at_the_same_moment_create_one_patient(physio):
    """The second waits on the first's claim of the token, then answers with the first's patient."""
    clients = [signed_in(physio), signed_in(physio)]
    sent = filled(clients[0], physio)
    start = threading.Barrier(len(clients))
    answers = []

    def submit(client):
        try:
            start.wait()
            answers.append(client.post(FORM, sent))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Patient.objects.count() == 1 and ActivationCode.objects.count() == 1
    assert AuditEntry.objects.filter(action="create").count() == 1
