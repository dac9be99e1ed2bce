"""In a real Chromium: a clinic admin's test event reaches a local receiver signed and is listed; a physio
creates a patient, reads the activation code off the page and the patient activates with it."""

import httpx
import pytest
from playwright.sync_api import expect

from patients.models import Patient
from rehab.alerts.services.delivery import delivery_sweep
from tests.support.receiver import Receiver, body_of, signature_valid

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_clinic_admin_sends_a_test_event_and_sees_it_delivered_signed(page, demo, screenshots):
    with Receiver() as receiver:
        sign_in(page, "demo-admin", demo.password)
        page.get_by_role("link", name="Clinic settings").click()
        page.get_by_label("URL", exact=True).fill(receiver.url)
        page.get_by_label("Active").check()
        page.get_by_role("button", name="Save webhook").click()
        expect(page.get_by_text("The webhook was saved.")).to_be_visible()
        # Whether or not the demo had a webhook, a rotation shows the secret the events are signed with.
        page.get_by_role("button", name="Rotate secret").click()
        secret = page.get_by_test_id("webhook-secret").inner_text()
        page.screenshot(path=screenshots / "clinic-settings-1280x800.png")

        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("A test event was queued")).to_be_visible()
        # The server kicks a worker through the broker; none runs beside the browser tests, so the
        # test runs the delivery sweep a worker would, on the real outbox.
        delivery_sweep()
        assert receiver.wait_for(1, timeout=10)
        # The list refreshes itself while a delivery is on its way.
        row = page.locator("tr.delivery-delivered", has_text="alert.test")
        expect(row).to_be_visible(timeout=15_000)
        expect(row).to_contain_text("200")
        page.screenshot(path=screenshots / "clinic-settings-delivered-1280x800.png", full_page=True)
    [request] = [r for r in receiver.requests if body_of(r)["type"] == "alert.test"]
    assert signature_valid(secret, request)
    assert body_of(request)["alert"]["test"] is True
    expect(row).to_contain_text(request["headers"]["X-Rehab-Event-Id"])
    assert [e for e in page.script_errors if "404" not in e] == []  # the browser's own /favicon.ico


def test_a_physio_creates_a_patient_whose_activation_code_on_the_page_activates_the_app(page, demo, screenshots,
                                                                                      web_server):  # fmt: skip
    sign_in(page, "demo-physio", demo.password)
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("Name (the clinic's label)").fill("Browser Patient")
    page.get_by_label("Side", exact=True).select_option("left")
    page.get_by_label("Condition", exact=True).select_option("calcific_insertional_tendinopathy")
    with page.expect_response(lambda r: "/patients/new/exercises/" in r.url):
        page.get_by_role("combobox", name="Protocol", exact=True).select_option("post-surgical-calcific-iat")
    page.wait_for_load_state("networkidle")  # the rows of the protocol chosen, swapped in by htmx
    first_sets = page.locator('#exercise-rows input[name$=".sets"]').first
    page.get_by_label("Anticoagulated").check()
    # Half a dosage row: refused next to the row with the API's message, everything else kept.
    first_sets.fill("2")
    page.get_by_role("button", name="Create patient").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    expect(page.get_by_label("Name (the clinic's label)")).to_have_value("Browser Patient")
    expect(page.get_by_label("Anticoagulated")).to_be_checked()
    page.screenshot(path=screenshots / "new-patient-refused-1280x800.png", full_page=True)
    page.script_errors.clear()  # Chromium logs the refused form's 400 as a failed load; nothing else is
    page.locator('#exercise-rows input[name$=".reps"]').first.fill("10")
    page.locator('#exercise-rows input[name$=".times_per_day"]').first.fill("1")
    page.screenshot(path=screenshots / "new-patient-1280x800.png")
    page.get_by_role("button", name="Create patient").click()

    code = page.get_by_test_id("activation-code").inner_text()
    expect(page.get_by_role("img", name="QR code of the app link with the activation code")).to_be_visible()
    page.screenshot(path=screenshots / "activation-code-1280x800.png")
    page.emulate_media(media="print")
    page.screenshot(path=screenshots / "activation-code-print.png")
    page.emulate_media(media="screen")

    patient = Patient.objects.get(display_name="Browser Patient")
    assert patient.assigned_physio == demo.physio and patient.comorbidities == ["anticoagulated"]
    activated = httpx.post(
        f"{web_server.url}/api/v1/auth/activate/",
        json={"activation_code": code, "username": "browser-patient", "password": "a-long-passphrase-9"},
    )
    assert activated.status_code == 201, activated.text
    patient.refresh_from_db()
    assert patient.user.username == "browser-patient"
    assert [e for e in page.script_errors if "404" not in e] == []  # the browser's own /favicon.ico
