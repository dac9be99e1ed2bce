"""Browser tests: Debian's Chromium, driven by Playwright, against a real gunicorn on the test database.

Playwright never downloads a browser here (there is no internet access in CI): it launches the
`chromium` that `.ci/run` installs with apt (/usr/bin/chromium; CHROMIUM names another binary).
Without it the tests are skipped on a developer's machine, and fail under CI (CI=true), where a
missing browser means the tests did not run.

The data is the demo's: the `seed_demo` command runs in the test (transactional, so the server's
processes see it) on the one clock as it stands, which is also the server's and the browser's
clock, so the pages show what a new user sees after `make run` today.
Screenshots go to var/screenshots/ (SCREENSHOT_DIR to change it); a failing test leaves one there too.
"""

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from patients.models import User
from tests.browser.pages import DESKTOP
from tests.support.gunicorn import ROOT, Gunicorn

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
DEMO_PASSWORD = "demo-password-1"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end tests in a real Chromium (Playwright, Debian's chromium)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by `page` to keep evidence of a failure
    return report


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django then refuses the tests' own
    # database reads as if they came from async code. They do not: nothing else runs on that loop.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def web_server(django_db_setup, tmp_path_factory):
    """gunicorn on the test database with DEBUG off and the static files served (one for the session)."""
    server = Gunicorn(
        tmp_path_factory.mktemp("gunicorn") / "gunicorn.log", settings_module="tests.browser.server_settings"
    ).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(chromium, web_server, request):
    """A fresh browser context (no cookies) at 1280 x 800; a failing test leaves a screenshot and the server log."""
    context = chromium.new_context(viewport=DESKTOP, base_url=web_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: _console_error(m) and errors.append(m.text))
    page.on("response", lambda r: _failed(r) and errors.append(f"HTTP {r.status} {r.request.method} {r.url}"))
    page.script_errors = errors
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"failed-{request.node.name}.png", full_page=True)
            print(f"--- page {page.url}; script errors {errors}\n--- server log:\n{web_server.log_tail()}")
        context.close()


def _console_error(message) -> bool:
    # A resource that failed is named by its response below (the console's message has no URL).
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _failed(response) -> bool:
    # Chromium asks for /favicon.ico of its own accord, now and then; no page links one.
    return response.status >= 400 and not response.url.endswith("/favicon.ico")


@dataclass
class Demo:
    physio: User
    password: str


@pytest.fixture
def demo(transactional_db) -> Demo:
    """The demo clinic exactly as `manage.py seed_demo` makes it, committed for the server to read."""
    call_command("seed_demo", "--password", DEMO_PASSWORD, stdout=io.StringIO())
    return Demo(physio=User.objects.get(username="demo-physio"), password=DEMO_PASSWORD)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder the README names for the pages' screenshots, emptied of an earlier run's."""
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
