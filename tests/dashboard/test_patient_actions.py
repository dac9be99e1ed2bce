"""The patient page's actions: each through the API's service and serializer, with the API's refusals on the field.

Every effect is compared with the API's for the same input on a twin patient (same protocol, start
and clock), so the page cannot drift from the API.
"""

import re
import threading
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client

from patients.models import ActivationCode, AuditEntry, Patient
from rehab.alerts.models import Alert
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.dashboard.models import FormSubmission
from tests.factories import enrolled_patient
from tests.support.clinician_api import START, TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

REVIEW = "review-6-8-weeks"
EXERCISE = "eccentric-heel-drop-bent-knee"


@pytest.fixture
def web(physio) -> Client:
    client = Client()
    client.force_login(physio)
    return client


@pytest.fixture
def api(physio):
    return client_for(physio)


def twin(clinic, physio, name: str, *, start=START, protocol="conservative-calcific-iat") -> Patient:
    """Day 49 of conservative care by default: the 6-8 week review is open."""
    return enrolled_patient(protocol, start=start, clinic=clinic, display_name=name, assigned_physio=physio)


@pytest.fixture
def ruth(clinic, physio):
    return twin(clinic, physio, "Ruth")


@pytest.fixture
def tom(clinic, physio):
    """Ruth's twin, changed through the API."""
    return twin(clinic, physio, "Tom")


def page_of(web, patient) -> str:
    answer = web.get(f"/patients/{patient.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def form_html(html: str, form_id: str) -> str:
    return re.search(rf'<form id="{form_id}".*?</form>', html, re.S)[0]


def token_of(html: str, form_id: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', form_html(html, form_id))[1]


def sent(web, patient, form_id: str, **fields) -> dict:
    return {"form_token": token_of(page_of(web, patient), form_id), **fields}


def url(patient, action: str) -> str:
    return f"/patients/{patient.pk}/actions/{action}/"


def field_error(html: str, error_id: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="{error_id}" role="alert">([^<]*)</p>', html)
    return unescape(found[1]) if found else None


def api_fields(answer) -> dict:
    return answer.json()["error"]["fields"]


def milestones(patient) -> list[tuple]:
    return list(
        Milestone.objects.filter(enrollment__patient=patient)
        .order_by("enrollment__start_date", "position")
        .values_list("code", "status", "decided_at", "decided_by_id", "note", "window_start", "window_end")
    )


def alerts(patient) -> list[tuple]:
    return list(
        Alert.objects.filter(patient=patient).order_by("code").values_list("code", "severity", "status", "reason")
    )


# --- the section -------------------------------------------------------------------------------------------
def test_the_page_shows_every_action_with_labelled_fields_and_named_buttons(web, ruth):
    html = page_of(web, ruth)
    for form_id in ("action-outcome", "action-event", "action-move", "action-record", "action-activation"):
        assert re.search(r'name="form_token" value="[0-9a-f-]{36}"', form_html(html, form_id)), form_id
    for button in ("Record outcome", "Record event", "Move to protocol", "Save record", "Issue a new activation code"):
        assert f">{button}</button>" in html
    assert f'href="/patients/{ruth.pk}/actions/discharge/">Discharge…</a>' in html
    for field_id in ("oc-milestone", "oc-note", "ev-kind", "ev-date", "ev-modality", "ev-maturity", "ev-site"):
        assert f'<label for="{field_id}">' in html and f'id="{field_id}"' in html
    assert f'<option value="{REVIEW}" selected>' in form_html(html, "action-outcome")  # the open review first


def test_without_a_session_an_action_sends_to_the_sign_in(ruth):
    answer = Client().post(url(ruth, "outcome"), {"milestone": REVIEW, "outcome": "met"})
    assert answer.status_code == 302 and answer["Location"].startswith("/sign-in/")
    assert Milestone.objects.get(enrollment__patient=ruth, code=REVIEW).status == Milestone.Status.PENDING


def test_another_clinics_patient_is_a_404_for_every_action_and_nothing_changes(web, other_physio):
    elsewhere = twin(other_physio.clinic, other_physio, "Elsewhere")
    before = (milestones(elsewhere), alerts(elsewhere), Enrollment.objects.filter(patient=elsewhere).count())
    token = "8f0c2a36-7d52-4f0e-9f5e-3c2b1a0d9e8f"
    bodies = {
        "outcome": {"milestone": REVIEW, "outcome": "not_met"},
        "clinical-event": {"kind": "surgery", "date": TODAY.isoformat()},
        "move": {"protocol": "post-surgical-calcific-iat", "start_date": TODAY.isoformat()},
        "record": {"comorbidities": "diabetes"},
        "discharge": {},
        "activation-code": {},
    }
    for action, body in bodies.items():
        assert web.post(url(elsewhere, action), {"form_token": token, **body}).status_code == 404, action
    assert web.get(url(elsewhere, "discharge")).status_code == 404
    elsewhere.refresh_from_db()
    assert (milestones(elsewhere), alerts(elsewhere), Enrollment.objects.filter(patient=elsewhere).count()) == before
    assert elsewhere.status == Patient.Status.ACTIVE and not ClinicalEvent.objects.exists()
    assert not FormSubmission.objects.exists() and not AuditEntry.objects.filter(patient=elsewhere).exists()


# --- review outcomes ---------------------------------------------------------------------------------------
def test_an_outcome_not_met_stores_what_the_api_stores_and_raises_the_same_referral(web, api, ruth, tom, physio):
    body = {"outcome": "not_met", "note": "No better after 7 weeks."}
    answer = web.post(url(ruth, "outcome"), sent(web, ruth, "action-outcome", milestone=REVIEW, **body))
    assert answer.status_code == 302 and answer["Location"] == f"/patients/{ruth.pk}/#action-outcome"
    assert api.post(f"/api/v1/patients/{tom.pk}/milestones/{REVIEW}/outcome/", body, format="json").status_code == 200
    assert milestones(ruth) == milestones(tom)
    assert alerts(ruth) == alerts(tom) and [a[0] for a in alerts(ruth)] == ["review_not_improved"]
    review = Milestone.objects.get(enrollment__patient=ruth, code=REVIEW)
    assert (review.status, review.decided_by, review.note) == ("not_met", physio, body["note"])
    html = web.get(answer["Location"]).content.decode()
    assert "Outcome recorded: " in html  # the message after the redirect


def test_in_place_the_answer_carries_the_changed_milestone_row_and_the_referral(web, ruth):
    answer = web.post(
        url(ruth, "outcome"),
        sent(web, ruth, "action-outcome", milestone=REVIEW, outcome="not_met", note=""),
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    row = re.search(rf'<tr class="timeline-milestone"[^>]*data-code="{REVIEW}">.*?</tr>', html, re.S)[0]
    assert "status-not_met" in row and "by Alice" in row
    alerts_section = re.search(r'<section id="patient-alerts-section".*?</section>', html, re.S)[0]
    assert "review_not_improved" in alerts_section or "Refer to" in alerts_section
    assert 'data-testid="action-done"' in html and 'id="patient-header"' in html
    # the htmx form names what it takes from the answer, and the answer has each of them
    form = form_html(html, "action-outcome")
    assert 'hx-select-oob="patient-header,patient-timeline,patient-alerts-section"' in form
    assert 'id="patient-timeline"' in html and 'id="patient-actions"' in html


def test_an_override_without_a_note_is_refused_on_the_note_with_the_apis_message_and_kept(web, api, ruth, tom):
    for patient in (ruth, tom):  # decided once already: what follows is an override
        path = f"/api/v1/patients/{patient.pk}/milestones/{REVIEW}/outcome/"
        assert api.post(path, {"outcome": "met"}, format="json").status_code == 200
    answer = web.post(url(ruth, "outcome"), sent(web, ruth, "action-outcome", milestone=REVIEW, outcome="not_met"))
    assert answer.status_code == 400
    html = answer.content.decode()
    refused = api.post(f"/api/v1/patients/{tom.pk}/milestones/{REVIEW}/outcome/", {"outcome": "not_met"}, format="json")
    assert refused.status_code == 400
    [message] = api_fields(refused)["note"]
    assert field_error(html, "oc-note-error") == message
    assert 'id="oc-outcome-not_met" name="outcome" value="not_met" checked' in html
    assert Milestone.objects.get(enrollment__patient=ruth, code=REVIEW).status == "met"
    # the same form, with a note, then goes through once
    token = token_of(html, "action-outcome")
    again = {"form_token": token, "milestone": REVIEW, "outcome": "not_met", "note": "Worse on review."}
    assert web.post(url(ruth, "outcome"), again).status_code == 302
    assert Milestone.objects.get(enrollment__patient=ruth, code=REVIEW).status == "not_met"


def test_an_outcome_before_the_window_opens_shows_the_apis_409_message_on_the_review(web, api, clinic, physio):
    early, twin_early = (twin(clinic, physio, n, start=TODAY - timedelta(days=20)) for n in ("Early", "Twin"))
    answer = web.post(url(early, "outcome"), sent(web, early, "action-outcome", milestone=REVIEW, outcome="met"))
    assert answer.status_code == 409
    refused = api.post(
        f"/api/v1/patients/{twin_early.pk}/milestones/{REVIEW}/outcome/", {"outcome": "met"}, format="json"
    )
    assert refused.status_code == 409
    assert field_error(answer.content.decode(), "oc-milestone-error") == refused.json()["error"]["message"]
    assert Milestone.objects.get(enrollment__patient=early, code=REVIEW).status == Milestone.Status.PENDING


def test_an_unknown_outcome_is_the_apis_refusal_on_the_outcome(web, api, ruth, tom):
    answer = web.post(url(ruth, "outcome"), sent(web, ruth, "action-outcome", milestone=REVIEW, outcome="cured"))
    refused = api.post(f"/api/v1/patients/{tom.pk}/milestones/{REVIEW}/outcome/", {"outcome": "cured"}, format="json")
    assert (
        answer.status_code == 400
        and field_error(answer.content.decode(), "oc-outcome-error") == api_fields(refused)["outcome"][0]
    )


# --- clinical events ---------------------------------------------------------------------------------------
def events(patient) -> list[tuple]:
    return list(
        ClinicalEvent.objects.filter(patient=patient)
        .order_by("id")
        .values_list("kind", "date", "details", "note", "recorded_by_id")
    )


def test_a_planned_heel_injection_is_stored_as_the_api_stores_it_and_alerts_at_once(web, api, ruth, tom):
    planned = (TODAY + timedelta(days=10)).isoformat()
    form = {"kind": "corticosteroid_injection", "date": planned, "site": "heel", "modality": "", "note": "GP plans it"}
    answer = web.post(
        url(ruth, "clinical-event"), sent(web, ruth, "action-event", **form), headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    body = {"kind": "corticosteroid_injection", "date": planned, "details": {"site": "heel"}, "note": "GP plans it"}
    assert api.post(f"/api/v1/patients/{tom.pk}/clinical-events/", body, format="json").status_code == 201
    assert events(ruth) == events(tom) and events(ruth)[0][2] == {"site": "heel"}
    assert alerts(ruth) == alerts(tom) and [a[:2] for a in alerts(ruth)] == [("corticosteroid_injection", "urgent")]
    alerts_section = re.search(r'<section id="patient-alerts-section".*?</section>', answer.content.decode(), re.S)[0]
    assert "No alerts." not in alerts_section and "severity-urgent" in alerts_section


def test_imaging_with_modality_and_maturity_and_a_surgical_referral_as_the_api(web, api, clinic, physio):
    ho, ho_twin = (
        twin(clinic, physio, n, protocol="conservative-achilles-ho") for n in ("Heterotopic", "Heterotopic twin")
    )
    for kind, extra in (("imaging", {"modality": "bone_scan", "ho_maturity": "immature"}), ("surgical_referral", {})):
        form = {"kind": kind, "date": TODAY.isoformat(), "note": "", "site": "", **extra}
        assert web.post(url(ho, "clinical-event"), sent(web, ho, "action-event", **form)).status_code == 302
        body = {"kind": kind, "date": TODAY.isoformat(), "details": extra}
        assert api.post(f"/api/v1/patients/{ho_twin.pk}/clinical-events/", body, format="json").status_code == 201
    assert events(ho) == events(ho_twin) and len(events(ho)) == 2
    assert alerts(ho) == alerts(ho_twin)
    assert "ho_referral_without_maturity" in [a[0] for a in alerts(ho)]


def test_imaging_without_a_modality_is_refused_on_the_modality_and_everything_typed_is_kept(web, api, ruth, tom):
    form = {"kind": "imaging", "date": TODAY.isoformat(), "ho_maturity": "mature", "note": "Typed note"}
    answer = web.post(url(ruth, "clinical-event"), sent(web, ruth, "action-event", **form))
    assert answer.status_code == 400
    refused = api.post(
        f"/api/v1/patients/{tom.pk}/clinical-events/",
        {"kind": "imaging", "date": TODAY.isoformat(), "details": {"ho_maturity": "mature"}},
        format="json",
    )
    html = answer.content.decode()
    assert field_error(html, "ev-modality-error") == api_fields(refused)["details.modality"][0]
    event = form_html(html, "action-event")
    assert '<option value="imaging" selected>' in event and '<option value="mature" selected>' in event
    assert ">Typed note</textarea>" in event and f'value="{TODAY.isoformat()}"' in event
    assert not ClinicalEvent.objects.exists()


def test_a_date_out_of_range_is_refused_on_the_date_with_the_apis_message(web, api, ruth, tom):
    answer = web.post(url(ruth, "clinical-event"), sent(web, ruth, "action-event", kind="surgery", date="3026-01-01"))
    refused = api.post(
        f"/api/v1/patients/{tom.pk}/clinical-events/", {"kind": "surgery", "date": "3026-01-01"}, format="json"
    )
    assert answer.status_code == 400
    assert field_error(answer.content.decode(), "ev-date-error") == api_fields(refused)["date"][0]


# --- moving to another protocol ----------------------------------------------------------------------------
def enrolments(patient) -> list[tuple]:
    return list(
        Enrollment.objects.filter(patient=patient)
        .order_by("start_date")
        .values_list("protocol_version_id", "start_date", "end_date", "end_reason", "reason", "created_by_id")
    )


def test_a_move_ends_the_old_enrolment_and_dates_the_new_as_the_api(web, api, ruth, tom):
    surgery = (TODAY - timedelta(days=3)).isoformat()
    body = {"protocol": "post-surgical-calcific-iat", "start_date": surgery, "reason": "Operated"}
    answer = web.post(url(ruth, "move"), sent(web, ruth, "action-move", **body))
    assert answer.status_code == 302
    assert api.post(f"/api/v1/patients/{tom.pk}/enrollments/", body, format="json").status_code == 201
    assert enrolments(ruth) == enrolments(tom) and len(enrolments(ruth)) == 2
    assert milestones(ruth) == milestones(tom)
    html = web.get(answer["Location"]).content.decode()
    assert "Immobilisation" in re.search(r'<header id="patient-header".*?</header>', html, re.S)[0]
    assert "End of immobilisation" in html or "end-immobilisation" in html


def test_a_move_to_before_the_current_start_is_refused_on_the_start_date_with_the_apis_message(web, api, ruth, tom):
    body = {
        "protocol": "conservative-achilles-ho",
        "start_date": (START - timedelta(days=1)).isoformat(),
        "reason": "X",
    }
    answer = web.post(url(ruth, "move"), sent(web, ruth, "action-move", **body))
    refused = api.post(f"/api/v1/patients/{tom.pk}/enrollments/", body, format="json")
    assert (answer.status_code, refused.status_code) == (409, 409)
    html = answer.content.decode()
    assert field_error(html, "mv-start-error") == refused.json()["error"]["message"]
    move = form_html(html, "action-move")
    assert '<option value="conservative-achilles-ho" selected>' in move and 'value="X"' in move
    assert len(enrolments(ruth)) == 1


def test_an_unknown_protocol_is_refused_on_the_protocol(web, api, ruth, tom):
    body = {"protocol": "yoga", "start_date": TODAY.isoformat(), "reason": ""}
    answer = web.post(url(ruth, "move"), sent(web, ruth, "action-move", **body))
    refused = api.post(f"/api/v1/patients/{tom.pk}/enrollments/", body, format="json")
    assert answer.status_code == 400
    assert field_error(answer.content.decode(), "mv-protocol-error") == api_fields(refused)["protocol"][0]


# --- the record: comorbidities, biomechanics, dosage --------------------------------------------------------
def record_form(web, patient, **fields) -> dict:
    html = form_html(page_of(web, patient), "action-record")
    form = {"form_token": re.search(r'name="form_token" value="([^"]+)"', html)[1]}
    form.update(re.findall(r'<input type="hidden" name="(exercise_overrides[^"]+)" value="([^"]*)"', html))
    form.update(fields)
    return form


def row_index(form: dict, exercise: str) -> str:
    return next(k.split(".")[1] for k, v in form.items() if k.endswith(".exercise") and v == exercise)


def record(patient) -> tuple:
    patient.refresh_from_db()
    return patient.comorbidities, patient.biomechanics, patient.exercise_overrides


def test_the_record_changes_as_the_apis_patch_changes_it(web, api, ruth, tom):
    form = record_form(web, ruth, comorbidities=["kidney_disease", "diabetes"], **{"biomechanics.pes_planus": "on"})
    i = row_index(form, EXERCISE)
    form.update({f"exercise_overrides.{i}.sets": "2", f"exercise_overrides.{i}.reps": "12"})
    form[f"exercise_overrides.{i}.times_per_day"] = "1"
    answer = web.post(url(ruth, "record"), form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    body = {
        "comorbidities": ["kidney_disease", "diabetes"],
        "biomechanics": {"pes_planus": True},
        "exercise_overrides": [{"exercise": EXERCISE, "sets": 2, "reps": 12, "times_per_day": 1}],
    }
    assert api.patch(f"/api/v1/patients/{tom.pk}/", body, format="json").status_code == 200
    assert record(ruth) == record(tom)
    assert record(ruth)[2] == body["exercise_overrides"]
    # the form opens again on what is stored
    html = form_html(page_of(web, ruth), "action-record")
    assert 'value="kidney_disease" checked' in html and 'name="biomechanics.pes_planus" checked' in html
    assert re.search(rf'name="exercise_overrides\.{i}\.reps" value="12"', html)


def test_a_dosage_row_out_of_range_is_refused_on_its_row_and_the_form_keeps_what_was_typed(web, api, ruth, tom):
    form = record_form(web, ruth, comorbidities=["diabetes"])
    i = row_index(form, EXERCISE)
    form.update({f"exercise_overrides.{i}.sets": "0", f"exercise_overrides.{i}.reps": "12"})
    form[f"exercise_overrides.{i}.times_per_day"] = "1"
    answer = web.post(url(ruth, "record"), form)
    assert answer.status_code == 400
    override = {"exercise": EXERCISE, "sets": 0, "reps": 12, "times_per_day": 1}
    refused = api.patch(f"/api/v1/patients/{tom.pk}/", {"exercise_overrides": [override]}, format="json")
    html = answer.content.decode()
    assert field_error(html, f"ov-{i}-sets-error") == api_fields(refused)["exercise_overrides.0.sets"][0]
    kept = form_html(html, "action-record")
    assert 'value="diabetes" checked' in kept and re.search(rf'name="exercise_overrides\.{i}\.sets" value="0"', kept)
    assert record(ruth) == ([], {}, [])


# --- discharge -----------------------------------------------------------------------------------------------
def test_discharge_asks_first_then_discharges_as_the_api(web, api, ruth, tom):
    confirm = web.get(url(ruth, "discharge"))
    assert confirm.status_code == 200 and ">Discharge Ruth</button>" in confirm.content.decode()
    assert Patient.objects.get(pk=ruth.pk).status == Patient.Status.ACTIVE  # asking changes nothing
    token = re.search(r'name="form_token" value="([^"]+)"', confirm.content.decode())[1]
    answer = web.post(url(ruth, "discharge"), {"form_token": token})
    assert answer.status_code == 302 and answer["Location"].startswith(f"/patients/{ruth.pk}/")
    assert api.patch(f"/api/v1/patients/{tom.pk}/", {"status": "discharged"}, format="json").status_code == 200
    ruth.refresh_from_db()
    tom.refresh_from_db()
    assert (ruth.status, ruth.discharged_at) == (tom.status, tom.discharged_at) == ("discharged", tom.discharged_at)
    assert ruth.discharged_at is not None
    html = page_of(web, ruth)
    assert "Discharged on" in html and "Discharge…" not in html


# --- activation codes ----------------------------------------------------------------------------------------
def test_a_new_activation_code_is_shown_once_with_its_qr_code_and_activates(web, ruth, anon_client):
    old = ActivationCode.objects.filter(patient=ruth).count()
    answer = web.post(url(ruth, "activation-code"), sent(web, ruth, "action-activation"))
    assert answer.status_code == 302
    html = web.get(answer["Location"]).content.decode()
    code = re.search(r'data-testid="activation-code">([^<]+)<', html)[1]
    assert "<svg" in html and f"rehab://activate?code={code}" in unescape(html)
    assert ActivationCode.objects.filter(patient=ruth).count() == old + 1
    assert ActivationCode.objects.filter(patient=ruth, revoked_at__isnull=True, used_at__isnull=True).count() == 1
    activated = anon_client.post(
        "/api/v1/auth/activate/",
        {"activation_code": code, "username": "ruth-app", "password": "a-long-passphrase-9"},
        format="json",
    )
    assert activated.status_code == 201, activated.content


def test_the_code_page_is_only_for_who_issued_it(web, ruth, other_physio):
    location = web.post(url(ruth, "activation-code"), sent(web, ruth, "action-activation"))["Location"]
    elsewhere = Client()
    elsewhere.force_login(other_physio)
    assert elsewhere.get(location).status_code == 404


def test_a_discharged_patient_gets_no_code_and_the_page_says_why(web, ruth):
    Patient.objects.filter(pk=ruth.pk).update(status=Patient.Status.DISCHARGED)
    answer = web.post(url(ruth, "activation-code"), sent(web, ruth, "action-activation"))
    assert answer.status_code == 409
    assert "activation codes are for active patients" in answer.content.decode()


# --- once, and the audit trail -------------------------------------------------------------------------------
def test_a_double_submit_stores_once(web, ruth):
    form = sent(web, ruth, "action-event", kind="surgery", date=TODAY.isoformat())
    first, again = web.post(url(ruth, "clinical-event"), form), web.post(url(ruth, "clinical-event"), form)
    assert first.status_code == again.status_code == 302
    assert ClinicalEvent.objects.filter(patient=ruth).count() == 1
    code_form = sent(web, ruth, "action-activation")
    first, again = web.post(url(ruth, "activation-code"), code_form), web.post(url(ruth, "activation-code"), code_form)
    assert first["Location"] == again["Location"]
    assert ActivationCode.objects.filter(patient=ruth, revoked_at__isnull=True).count() == 1
    assert re.search(r'data-testid="activation-code">[^<]+<', web.get(again["Location"]).content.decode())
    outcome = sent(web, ruth, "action-outcome", milestone=REVIEW, outcome="not_met", note="")
    web.post(url(ruth, "outcome"), outcome)
    web.post(url(ruth, "outcome"), outcome)  # no note: as an override it would be refused; as a repeat it is not
    assert Alert.objects.filter(patient=ruth, code="review_not_improved").count() == 1
    assert AuditEntry.objects.filter(patient=ruth, action="create").count() == 3


def test_a_form_without_its_token_is_refused_and_offered_again(web, ruth):
    answer = web.post(url(ruth, "clinical-event"), {"kind": "surgery", "date": TODAY.isoformat()})
    assert answer.status_code == 400 and "This form has expired" in answer.content.decode()
    assert re.search(r'name="form_token" value="[0-9a-f-]{36}"', form_html(answer.content.decode(), "action-event"))
    assert not ClinicalEvent.objects.exists()


def test_every_action_is_audited_as_the_api_audits_it_with_who_and_when(web, ruth, physio, clinic, frozen_now):
    posts = [
        ("outcome", "action-outcome", {"milestone": REVIEW, "outcome": "met"}, "create"),
        ("clinical-event", "action-event", {"kind": "surgery", "date": TODAY.isoformat()}, "create"),
        ("record", "action-record", {"comorbidities": "diabetes"}, "update"),
        ("activation-code", "action-activation", {}, "create"),
        (
            "move",
            "action-move",
            {"protocol": "post-surgical-calcific-iat", "start_date": TODAY.isoformat(), "reason": "op"},
            "create",
        ),
    ]
    for action, form_id, body, audited in posts:
        AuditEntry.objects.all().delete()
        form = sent(web, ruth, form_id, **body)
        AuditEntry.objects.all().delete()  # the page's own read
        assert web.post(url(ruth, action), form).status_code == 302, action
        entry = AuditEntry.objects.get()
        assert (entry.actor, entry.patient, entry.clinic, entry.action, entry.at) == (
            physio,
            ruth,
            clinic,
            audited,
            frozen_now,
        ), action
        assert entry.resource == url(ruth, action)
    confirm = web.get(url(ruth, "discharge")).content.decode()
    AuditEntry.objects.all().delete()
    web.post(url(ruth, "discharge"), {"form_token": re.search(r'name="form_token" value="([^"]+)"', confirm)[1]})
    assert AuditEntry.objects.get().action == "update"


def test_in_place_a_refusal_answers_the_page_with_the_form_as_typed_and_audits_the_read(web, ruth, physio):
    form = sent(web, ruth, "action-event", kind="imaging", date=TODAY.isoformat(), note="Kept")
    AuditEntry.objects.all().delete()
    answer = web.post(url(ruth, "clinical-event"), form, headers={"HX-Request": "true"})
    assert answer.status_code == 200  # htmx swaps only 2xx answers
    html = answer.content.decode()
    assert field_error(html, "ev-modality-error") and ">Kept</textarea>" in form_html(html, "action-event")
    assert token_of(html, "action-event") == form["form_token"]  # sent again, it is still the one form
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.patient, entry.action) == (physio, ruth, "read")


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_event_form_at_the_same_moment_store_one_event(web, ruth, physio):
    """The second waits on the first's claim of the form's token, then answers as the first did."""
    form = sent(web, ruth, "action-event", kind="corticosteroid_injection", date=TODAY.isoformat(), site="heel")
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(physio)
        clients.append(client)
    start, answers = threading.Barrier(2), []

    def submit(client):
        try:
            start.wait()
            answers.append(client.post(url(ruth, "clinical-event"), form))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert ClinicalEvent.objects.filter(patient=ruth).count() == 1
    assert Alert.objects.filter(patient=ruth, code="corticosteroid_injection").count() == 1
    assert AuditEntry.objects.filter(patient=ruth, action="create").count() == 1
