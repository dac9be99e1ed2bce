"""What the browser tests do on the dashboard's pages, found by role and label as a person finds them."""

import base64
import re
import time
from pathlib import Path

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

LAYOUT_DEFECTS_JS = (Path(__file__).parent / "layout_defects.js").read_text()
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}

# What every element of a group is laid out beside, never on top of (checked at each screen size).
SIBLING_GROUPS = (
    ".topbar > *",
    ".topbar nav li",
    ".page-head > *",
    ".filters .field",
    ".facts > div",
    ".charts figure",
    ".alert-card header > *",
    ".alert-card .alert-actions > *",
    ".log-grid > *",
)


def sign_in(page: Page, username: str, password: str) -> None:
    """The sign-in form's first step: username and password."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in_without_code(page: Page, username: str, password: str) -> None:
    sign_in(page, username, password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def app_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for the key it was given (as typed from the enrolment page)."""
    key = base64.b32decode("".join(secret.split()).upper())
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def app_code_one_step_ago(secret: str) -> str:
    """The code the app showed in the previous 30-second step: still accepted (django-otp allows one step
    of drift), and it leaves the current code unused for a sign-in right after (a code works once)."""
    left = 30 - time.time() % 30
    if left < 3:  # the server could read it two steps old: wait for the next step to begin
        time.sleep(left + 0.1)
    return app_code(secret, at=time.time() - 30)


def open_alert_count(page: Page) -> int:
    return int(page.get_by_test_id("open-alert-count").inner_text().strip())


def go_to_alerts(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Alerts")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alerts")


def charts_drawn(page: Page) -> dict[str, int]:
    """How many points each chart of a patient's page holds, once Chart.js has drawn them all."""
    page.wait_for_function(
        "() => window.Chart && ['pain-chart', 'visa-a-chart', 'adherence-chart']"
        ".every((id) => Chart.getChart(document.getElementById(id)))"
    )
    return page.evaluate(
        """() => Object.fromEntries(['pain-chart', 'visa-a-chart', 'adherence-chart'].map((id) => [
            id, Chart.getChart(document.getElementById(id)).data.datasets
                .reduce((n, set) => n + set.data.filter((p) => p !== null && (p.y ?? p) !== null).length, 0)]))"""
    )


def layout_defects(page: Page) -> list[str]:
    """What a reader would see as broken: a page wider than the window, or siblings drawn on top of each other."""
    return page.evaluate(LAYOUT_DEFECTS_JS, list(SIBLING_GROUPS))


# Every label a chart draws (the annotation plugin's, and the ticks of its axes) as a box in canvas pixels,
# and every data point of a shown dataset: a label over a point hides what the physio came to read.
LABELS_OVER_DATA_JS = """(id) => {
    const chart = Chart.getChart(document.getElementById(id));
    const boxes = [];
    for (const annotation of window["chartjs-plugin-annotation"].getAnnotations(chart)) {
        for (const label of annotation.elements || []) {
            if (!label.options.display) continue;
            const name = String(label.options.content);
            boxes.push({name: name, left: label.x, top: label.y, right: label.x2, bottom: label.y2});
        }
    }
    const covered = [];
    chart.data.datasets.forEach((set, i) => {
        if (!chart.isDatasetVisible(i)) return;
        for (const point of chart.getDatasetMeta(i).data) {
            if (point.skip) continue;
            for (const b of boxes) {
                if (point.x >= b.left && point.x <= b.right && point.y >= b.top && point.y <= b.bottom) {
                    covered.push(`"${b.name}" covers ${set.label} at (${Math.round(point.x)}, ${Math.round(point.y)})`);
                }
            }
        }
    });
    return {labels: boxes.map((b) => b.name), covered: covered};
}"""


def chart_labels_over_data(page: Page, chart_id: str) -> dict:
    """The chart's annotation labels drawn, and which of them cover a data point (none should)."""
    return page.evaluate(LABELS_OVER_DATA_JS, chart_id)
