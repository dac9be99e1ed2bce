"""Enrolling an authenticator: forced after the password when the clinic requires TOTP, and pages refuse to skip it."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import AuditEntry
from tests.support.totp import PASSWORD, backup_codes, dashboard_client, enrol_totp, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ENROL = "/sign-in/authenticator/"


@pytest.fixture
def strict_clinic(clinic):
    clinic.require_totp = True
    clinic.save()
    return clinic


def sign_in(web, username="alice", **extra):
    return web.post("/sign-in/", {"username": username, "password": PASSWORD, **extra})


def enrolling_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_when_the_clinic_requires_totp_the_password_leads_to_enrolment_and_no_session(web, strict_clinic, physio):
    response = sign_in(web, next="/alerts/")
    assert response["Location"] == ENROL
    assert SESSION_KEY not in web.session
    assert web.get(reverse("dashboard:patients")).status_code == 302  # pages refuse to skip it
    assert web.get(reverse("dashboard:clinic-staff"))["Location"].startswith("/sign-in/?next=")


def test_the_enrolment_page_shows_an_inline_qr_code_of_the_otpauth_uri_and_the_secret_in_text(
    web, strict_clinic, physio
):
    sign_in(web)
    page = web.get(ENROL).content.decode()
    device = enrolling_device(physio)
    assert re.search(r'<svg role="img" aria-label="QR code for your authenticator app"[^>]*>', page)
    assert "<img" not in page  # drawn in the page: nothing fetched, the secret sent nowhere
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert device.config_url.split("secret=")[1].startswith(secret)
    assert "Achilles%20rehab" in device.config_url  # the name the app shows
    # Reloading keeps the same secret: the app scanned a moment ago still matches.
    web.get(ENROL)
    assert enrolling_device(physio).pk == device.pk


def test_confirming_with_the_apps_code_signs_in_and_shows_backup_codes_once(web, strict_clinic, physio):
    sign_in(web, next="/alerts/")
    web.get(ENROL)
    response = web.post(ENROL, {"code": totp_code(enrolling_device(physio))})
    assert response.status_code == 200
    page = response.content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(shown) == 10
    assert set(shown) == set(StaticToken.objects.filter(device__user=physio).values_list("token", flat=True))
    assert 'href="/alerts/"' in page
    assert int(web.session[SESSION_KEY]) == physio.pk
    assert TOTPDevice.objects.get(user=physio).confirmed
    assert web.get(reverse("dashboard:patients")).status_code == 200
    assert AuditEntry.objects.filter(actor=physio, action="totp_enrol").exists()


def test_a_wrong_code_does_not_confirm_the_device(web, strict_clinic, physio):
    sign_in(web)
    web.get(ENROL)
    device = enrolling_device(physio)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = web.post(ENROL, {"code": wrong})
    assert "That code is not right" in response.content.decode()
    assert SESSION_KEY not in web.session
    assert not TOTPDevice.objects.filter(user=physio, confirmed=True).exists()


def test_after_enrolling_the_next_sign_in_asks_for_the_code(web, strict_clinic, physio, frozen_clock):
    sign_in(web)
    web.get(ENROL)
    web.post(ENROL, {"code": totp_code(enrolling_device(physio))})
    web.post(reverse("dashboard:sign-out"))
    frozen_clock.shift(timedelta(seconds=30))
    assert sign_in(web)["Location"] == "/sign-in/code/"


def test_a_signed_in_session_is_sent_to_enrolment_when_the_clinic_begins_to_require_totp(web, clinic, physio):
    sign_in(web)
    assert web.get(reverse("dashboard:patients")).status_code == 200
    clinic.require_totp = True
    clinic.save()
    response = web.get(reverse("dashboard:patients") + "?mine=1")
    assert response["Location"] == f"{ENROL}?next=%2F%3Fmine%3D1"
    assert SESSION_KEY not in web.session
    web.get(ENROL)
    web.post(ENROL, {"code": totp_code(enrolling_device(physio))})
    assert web.get(reverse("dashboard:patients")).status_code == 200


def test_an_htmx_request_of_a_session_owing_enrolment_is_sent_there_by_hx_redirect(web, clinic, physio):
    sign_in(web)
    clinic.require_totp = True
    clinic.save()
    response = web.get(
        reverse("dashboard:alert-count"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/alerts/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{ENROL}?next=%2Falerts%2F"


def test_staff_without_a_requirement_may_enrol_from_a_signed_in_session(web, clinic, physio):
    sign_in(web)
    assert web.get(ENROL).status_code == 200
    response = web.post(ENROL, {"code": totp_code(enrolling_device(physio))})
    assert response.status_code == 200
    assert "Your backup codes" in response.content.decode()
    # This session passed with the new device: it goes on without a code.
    assert web.get(reverse("dashboard:patients")).status_code == 200


def test_the_enrolment_page_without_a_password_first_goes_to_the_sign_in(web, strict_clinic, physio):
    assert web.get(ENROL)["Location"] == "/sign-in/"
    assert not TOTPDevice.objects.filter(user=physio).exists()


def test_staff_with_an_authenticator_see_it_set_up_and_get_new_backup_codes(physio):
    enrol_totp(physio)
    old = backup_codes(physio)
    web = dashboard_client(physio)
    page = web.get(ENROL).content.decode()
    assert "Your authenticator app is set up" in page and "<strong>10</strong> unused backup codes" in page
    response = web.post(reverse("dashboard:backup-codes"))
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(shown) == 10 and not set(shown) & set(old)
    assert set(StaticToken.objects.filter(device__user=physio).values_list("token", flat=True)) == set(shown)


def test_new_backup_codes_need_a_session_that_passed_a_code(web, physio):
    sign_in(web)  # no authenticator: signed in with the password alone
    response = web.post(reverse("dashboard:backup-codes"))
    assert response["Location"] == ENROL
    assert not StaticToken.objects.filter(device__user=physio).exists()
