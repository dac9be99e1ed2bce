"""The dashboard's middlewares run for every request but the API's, their view hooks included."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.http import HttpResponse
from django.test import Client

from config.browser import BROWSER_NEEDS

pytestmark = pytest.mark.usefixtures("frozen_now")

SEEN: list[tuple[str, str]] = []


class Recording:
    """A browser middleware that notes the requests it sees, and answers a view hook when asked to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        SEEN.append(("call", request.path))
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        SEEN.append(("view", request.path))
        if request.headers.get("X-Answer-In-Hook"):
            return HttpResponse("from the hook", status=418)
        return None


RECORDING = "tests.config.test_browser_middleware.Recording"


@pytest.fixture
def recording(settings):
    SEEN.clear()
    settings.BROWSER_MIDDLEWARE = [*settings.BROWSER_MIDDLEWARE, RECORDING]
    yield SEEN
    SEEN.clear()


def test_an_api_request_goes_past_the_browser_middlewares(recording, patient_client):
    assert patient_client.get("/api/v1/me/plan/").status_code == 200
    assert patient_client.post("/api/v1/me/pain-logs/", {}, format="json").status_code == 400
    assert recording == []


def test_a_page_runs_them_and_their_view_hooks(recording, db):
    assert Client().get("/sign-in/").status_code == 200
    assert recording == [("call", "/sign-in/"), ("view", "/sign-in/")]


def test_a_view_hook_of_theirs_can_answer_for_the_view(recording, db):
    response = Client().get("/sign-in/", HTTP_X_ANSWER_IN_HOOK="1")
    assert (response.status_code, response.content) == (418, b"from the hook")


def test_an_api_request_reads_no_session_and_sets_no_cookie_even_when_it_sends_one(patient_client, physio):
    browser = Client()
    browser.force_login(physio)
    patient_client.cookies = browser.cookies
    response = patient_client.get("/api/v1/me/plan/")
    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "session")  # sessions never ran
    assert not response.cookies and "Cookie" not in response.get("Vary", "")


def test_a_dashboard_session_signs_nobody_in_to_the_api(physio):
    browser = Client()
    browser.force_login(physio)
    assert browser.get("/api/v1/patients/").status_code == 401


def test_a_page_under_a_script_name_is_still_a_page(recording, db):
    # A proxy may mount the site under a prefix; what counts is the path URLs resolve on.
    assert Client().get("/sign-in/", SCRIPT_NAME="/api").status_code == 200
    assert ("view", "/api/sign-in/") in recording


def test_the_csrf_check_still_guards_the_dashboard(physio):
    assert Client(enforce_csrf_checks=True).post("/sign-in/", {"username": "alice"}).status_code == 403


@pytest.mark.parametrize("missing", BROWSER_NEEDS)
def test_the_checks_name_a_middleware_the_dashboard_needs_that_is_missing(settings, missing):
    settings.BROWSER_MIDDLEWARE = [m for m in settings.BROWSER_MIDDLEWARE if m != missing]
    with pytest.raises(SystemCheckError, match=rf"config\.E001.*{missing}|{missing}.*config\.E001"):
        call_command("check")


def test_the_checks_name_them_all_when_the_chain_itself_is_missing(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "config.browser.BrowserOnlyMiddleware"]
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    assert str(refused.value).count("config.E001") == len(BROWSER_NEEDS)


def test_the_deploy_checks_still_ask_for_a_secure_csrf_cookie(settings):
    settings.CSRF_COOKIE_SECURE = False
    with pytest.raises(SystemCheckError, match=r"security\.W016"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


def test_only_the_checks_made_again_here_are_silenced(settings):
    assert sorted(settings.SILENCED_SYSTEM_CHECKS) == ["admin.E408", "admin.E409", "admin.E410", "security.W003"]
