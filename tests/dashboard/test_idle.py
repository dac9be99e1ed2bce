"""A dashboard session ends after DASHBOARD_IDLE_MINUTES without activity; background polls do not keep it alive."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.support.totp import dashboard_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

POLL = {"HX-Request": "true", "X-Background-Poll": "1", "HX-Current-URL": "http://testserver/alerts/"}


def idle() -> timedelta:
    return timedelta(minutes=settings.DASHBOARD_IDLE_MINUTES)


def poll(web):
    return web.get(reverse("dashboard:alert-count"), headers=POLL)


def test_the_idle_limit_is_thirty_minutes_by_default():
    assert settings.DASHBOARD_IDLE_MINUTES == 30


def test_a_session_idle_too_long_ends_although_the_page_polled_every_minute(physio, physio_device, frozen_clock):
    web = dashboard_client(physio)
    for _ in range(settings.DASHBOARD_IDLE_MINUTES):
        frozen_clock.shift(timedelta(minutes=1))
        assert poll(web).status_code == 200
        assert "sessionid" not in poll(web).cookies  # a poll never renews the cookie
    frozen_clock.shift(timedelta(minutes=1))
    response = web.get(reverse("dashboard:patients"))
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2F"
    assert SESSION_KEY not in web.session
    assert "signed out after 30 minutes without activity" in " ".join(map(str, get_messages(response.wsgi_request)))


def test_an_ended_session_answers_a_poll_with_hx_redirect_to_the_sign_in(physio, frozen_clock):
    web = dashboard_client(physio)
    frozen_clock.shift(idle() + timedelta(seconds=1))
    response = poll(web)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/sign-in/?next=%2Falerts%2F"
    assert SESSION_KEY not in web.session


def test_the_persons_own_requests_keep_the_session_alive(physio, frozen_clock):
    web = dashboard_client(physio)
    for _ in range(3):
        frozen_clock.shift(idle() - timedelta(minutes=1))
        assert web.get(reverse("dashboard:patients")).status_code == 200
    assert SESSION_KEY in web.session


def test_a_session_just_within_the_limit_goes_on(physio, frozen_clock):
    web = dashboard_client(physio)
    frozen_clock.shift(idle())
    assert web.get(reverse("dashboard:patients")).status_code == 200


def test_the_idle_limit_comes_from_the_setting(physio, frozen_clock, settings):
    settings.DASHBOARD_IDLE_MINUTES = 5
    web = dashboard_client(physio)
    frozen_clock.shift(timedelta(minutes=5, seconds=1))
    assert web.get(reverse("dashboard:patients")).status_code == 302


def test_the_session_cookie_is_http_only_and_same_site_lax(physio):
    web = dashboard_client(physio)
    cookie = web.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not settings.SESSION_SAVE_EVERY_REQUEST
