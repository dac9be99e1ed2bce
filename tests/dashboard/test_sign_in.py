"""Signing in to the dashboard: the password, the code step, backup codes, refusals, sign-out, lock-out."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.factories import PhysioFactory
from tests.support.clock import NOW
from tests.support.totp import PASSWORD, backup_codes, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

SIGN_IN = "/sign-in/"
CODE = "/sign-in/code/"


def sign_in(web, username="alice", password=PASSWORD, **extra):
    return web.post(SIGN_IN, {"username": username, "password": password, **extra}, REMOTE_ADDR="10.0.0.1")


def landing() -> str:
    return reverse("dashboard:patients")


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def signed_in(web) -> bool:
    return SESSION_KEY in web.session


# --- the page ----------------------------------------------------------------------------------------------
def test_the_sign_in_page_has_labelled_fields_and_a_sign_in_button(web):
    page = web.get(SIGN_IN).content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert '<button type="submit" class="button primary">Sign in</button>' in page


def test_a_page_without_a_session_redirects_to_the_sign_in_with_where_it_was_going(web):
    response = web.get(landing() + "?phase=boot")
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=%2F%3Fphase%3Dboot"


# --- the password ------------------------------------------------------------------------------------------
def test_a_physio_without_a_device_signs_in_with_the_password_alone(web, physio):
    response = sign_in(web)
    assert response.status_code == 302
    assert response["Location"] == landing()
    assert int(web.session[SESSION_KEY]) == physio.pk
    assert web.get(landing()).status_code == 200


def test_a_wrong_password_is_refused_without_a_session_and_without_saying_which_part_was_wrong(web, physio):
    response = sign_in(web, password="wrong")
    assert response.status_code == 200
    assert "The username or password is not right" in response.content.decode()
    assert not signed_in(web)
    assert sign_in(web, username="nobody").content.decode().count("The username or password is not right") == 1


def test_an_inactive_member_of_staff_is_refused(web, physio):
    physio.is_active = False
    physio.save()
    response = sign_in(web)
    assert "The username or password is not right" in response.content.decode()
    assert not signed_in(web)


def test_a_patient_cannot_sign_in_to_the_web_and_is_told_to_use_the_app(web, patient):
    response = sign_in(web, username=patient.user.username)
    assert response.status_code == 200
    assert "Patients sign in with the phone app" in response.content.decode()
    assert not signed_in(web)
    assert web.get(landing()).status_code == 302


def test_next_on_this_site_is_followed_after_signing_in(web, physio):
    response = sign_in(web, next="/alerts/?status=open")
    assert response["Location"] == "/alerts/?status=open"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "/\\evil.example", "https:/evil.example", " //evil.example"],
)
def test_next_to_another_site_is_refused_and_the_landing_page_opens_instead(web, physio, next_url):
    response = sign_in(web, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == landing()


# --- the code step -----------------------------------------------------------------------------------------
def test_with_a_device_the_password_leads_to_the_code_step_and_nobody_is_signed_in_yet(web, physio, physio_device):
    response = sign_in(web, next="/alerts/")
    assert response["Location"] == CODE
    assert not signed_in(web)
    assert web.get(landing()).status_code == 302  # the page refuses to skip the code
    page = web.get(CODE).content.decode()
    assert '<label for="id_code">Code</label>' in page and ">Verify</button>" in page


def test_the_current_code_signs_in_and_goes_where_it_was_asked(web, physio, physio_device):
    sign_in(web, next="/alerts/")
    response = web.post(CODE, {"code": totp_code(physio_device)})
    assert response.status_code == 302
    assert response["Location"] == "/alerts/"
    assert int(web.session[SESSION_KEY]) == physio.pk
    assert web.get(landing()).status_code == 200


def test_a_wrong_code_is_refused_and_the_page_says_so(web, physio, physio_device):
    sign_in(web)
    wrong = f"{(int(totp_code(physio_device)) + 1) % 1_000_000:06d}"
    response = web.post(CODE, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not signed_in(web)


def test_a_code_cannot_be_used_twice(web, physio, physio_device):
    code = totp_code(physio_device)
    sign_in(web)
    assert web.post(CODE, {"code": code}).status_code == 302
    web.post(reverse("dashboard:sign-out"))
    sign_in(web)
    assert "That code is not right" in web.post(CODE, {"code": code}).content.decode()


def test_a_backup_code_signs_in_once(web, physio, physio_device, frozen_clock):
    code = backup_codes(physio)[0]
    sign_in(web)
    response = web.post(CODE, {"code": code.upper()})
    assert response["Location"] == landing()
    assert "You signed in with a backup code; 9 left." in messages_of(response)
    web.post(reverse("dashboard:sign-out"))
    frozen_clock.shift(timedelta(seconds=5))  # past django-otp's slow-down
    sign_in(web)
    assert "That code is not right" in web.post(CODE, {"code": code}).content.decode()
    assert not signed_in(web)


def test_the_code_step_expires_and_the_sign_in_starts_again(web, physio, physio_device, frozen_clock):
    sign_in(web)
    frozen_clock.shift(timedelta(minutes=11))
    response = web.post(CODE, {"code": totp_code(physio_device)})
    assert response["Location"] == SIGN_IN
    assert not signed_in(web)


def test_the_code_step_without_a_password_first_goes_to_the_sign_in(web, physio_device):
    assert web.get(CODE)["Location"] == SIGN_IN


# --- sign-out ----------------------------------------------------------------------------------------------
def test_sign_out_is_a_post_that_ends_the_session(web, physio):
    sign_in(web)
    assert web.get(reverse("dashboard:sign-out")).status_code == 405
    assert signed_in(web)
    response = web.post(reverse("dashboard:sign-out"))
    assert response["Location"] == SIGN_IN
    assert not signed_in(web)
    assert web.get(landing()).status_code == 302


def test_a_signed_in_page_has_the_sign_out_button(web, clinic_admin):
    sign_in(web, username="carol")
    page = web.get(reverse("dashboard:clinic-staff")).content.decode()
    assert '<form method="post" action="/sign-out/">' in page and ">Sign out</button>" in page


# --- lock-out ----------------------------------------------------------------------------------------------
def test_repeated_wrong_passwords_answer_the_lock_out_page_with_when_to_retry(web, physio):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(web, password="wrong").status_code == 200
    response = sign_in(web, password="wrong")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    retry_at = (NOW + settings.AXES_COOLOFF_TIME).strftime("%H:%M")
    assert f"Try again in {minutes} minutes (after {retry_at} UTC)" in response.content.decode()
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert sign_in(web).status_code == 429  # the right password too, until the cool-off ends
    assert not signed_in(web)


def test_wrong_codes_count_toward_the_lock_out(web, physio, physio_device, frozen_clock):
    sign_in(web)
    wrong = f"{(int(totp_code(physio_device)) + 1) % 1_000_000:06d}"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert web.post(CODE, {"code": wrong}, REMOTE_ADDR="10.0.0.1").status_code == 200
    response = web.post(CODE, {"code": wrong}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Sign-in locked for now" in response.content.decode()
    frozen_clock.shift(timedelta(minutes=1))
    # Locked: not even the right code passes now, nor the password.
    assert web.post(CODE, {"code": totp_code(physio_device)}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert not signed_in(web)


def test_a_lock_out_on_the_web_does_not_lock_another_member_of_staff(web, physio):
    PhysioFactory(clinic=physio.clinic, username="dora")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(web, password="wrong")
    assert sign_in(web, username="dora")["Location"] == landing()


def test_the_sign_in_form_is_refused_without_its_csrf_token(physio):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(SIGN_IN, {"username": "alice", "password": PASSWORD}).status_code == 403
    page = browser.get(SIGN_IN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(SIGN_IN, {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response["Location"] == landing()


def test_the_sign_in_page_of_someone_signed_in_goes_on_to_the_page_asked_for(web, physio):
    sign_in(web)
    assert web.get(SIGN_IN + "?next=/alerts/")["Location"] == "/alerts/"
