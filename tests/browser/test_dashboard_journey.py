"""A physio's morning in a real Chromium, on the demo clinic as `seed_demo` leaves it.

Enrol an authenticator, sign in with its code, find the patient with the urgent alert first,
open the not-improving patient by name and read the pain chart (it draws the stored daily means),
acknowledge an urgent alert and see the top bar's count fall, sign out.
"""

import re
from collections import defaultdict
from fractions import Fraction

import pytest
from playwright.sync_api import expect

from config import clock
from patients.models import Patient
from rehab.alerts.models import Alert
from rehab.care.models import Enrollment
from rehab.logs.models import PainLog
from tests.browser.pages import (
    app_code,
    app_code_one_step_ago,
    chart_labels_over_data,
    go_to_alerts,
    open_alert_count,
    sign_in,
    signed_in_without_code,
)

# Transactional: the server reads the test database in its own processes.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URGENT = (Alert.Severity.URGENT, Alert.Severity.EMERGENCY)


def stored_daily_pain_means(patient: Patient) -> list[dict]:
    """Each day's mean pain over the current enrolment, from the stored logs (as the review reads them)."""
    enrollment = Enrollment.objects.get(patient=patient, end_date__isnull=True)
    today = clock.local_today(patient.timezone)
    scores = defaultdict(list)
    for day, score in PainLog.objects.filter(
        patient=patient, local_date__gte=enrollment.start_date, local_date__lte=today
    ).values_list("local_date", "score"):
        scores[day].append(score)
    return [{"date": day.isoformat(), "mean": float(Fraction(sum(s), len(s)))} for day, s in sorted(scores.items())]


def test_a_physio_signs_in_with_a_code_works_through_the_morning_and_signs_out(page, demo):
    physio = demo.physio
    # Enrol an authenticator from the top bar, typing the code made from the key the page shows.
    signed_in_without_code(page, physio.username, demo.password)
    page.get_by_role("link", name="Two-step sign-in").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code", exact=True).fill(app_code_one_step_ago(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("backup-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("button", name="Sign out").click()

    # Sign in: password, then the code the app shows now.
    sign_in(page, physio.username, demo.password)
    expect(page.get_by_role("heading", name="Your code")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()

    # The patient with an open urgent alert comes first.
    urgent = Alert.objects.filter(clinic=physio.clinic, status=Alert.Status.OPEN, severity__in=URGENT)
    urgent_patients = set(urgent.values_list("patient__display_name", flat=True))
    assert urgent_patients, "seed_demo raises an urgent red flag"
    first = page.get_by_test_id("patient-row").first
    assert first.get_by_role("rowheader").inner_text().strip() in urgent_patients
    expect(first).to_contain_text("Urgent alert")

    # The not-improving patient, opened by name: the pain chart draws the stored daily means.
    referral = Alert.objects.get(clinic=physio.clinic, code="review_not_improved")
    patient = referral.patient
    page.get_by_role("link", name=patient.display_name, exact=True).click()
    expect(page.get_by_role("heading", name=patient.display_name, level=1)).to_be_visible()
    expected = stored_daily_pain_means(patient)
    assert len(expected) > 30
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('pain-chart'))")
    drawn = page.evaluate(
        "() => Chart.getChart(document.getElementById('pain-chart')).data.datasets[0].data"
        ".map((p) => ({date: p.x, mean: p.y}))"
    )
    sent = page.evaluate("() => JSON.parse(document.getElementById('patient-chart-data').textContent).pain.daily_mean")
    for series in (sent, drawn):
        assert [p["date"] for p in series] == [p["date"] for p in expected]
        assert [p["mean"] for p in series] == pytest.approx([p["mean"] for p in expected])
    # Its pain sits near the baseline to the end: the lines' labels are drawn where they cover none of it.
    for chart in ("pain-chart", "visa-a-chart"):
        assert chart_labels_over_data(page, chart)["covered"] == [], chart
    marks = page.evaluate(
        "() => Chart.getChart(document.getElementById('pain-chart')).scales.lines.ticks.map((t) => t.label)"
    )
    assert any(m.startswith("Baseline ") for m in marks) and any(m.startswith("Improved") for m in marks), marks

    # Acknowledge an urgent alert in the inbox: the top bar's count falls without a reload.
    go_to_alerts(page)
    before = open_alert_count(page)
    assert before == urgent.count()
    open_urgent = '[data-testid="alert"][data-status="open"]:is([data-severity="urgent"], [data-severity="emergency"])'
    card = page.locator(open_urgent).first
    alert_id = int(card.get_attribute("data-alert-id"))
    card.get_by_label("Note").fill("Called the patient; seen today.")
    card.get_by_role("button", name="Acknowledge").click()
    acknowledged = page.locator(f'[data-alert-id="{alert_id}"]')
    expect(acknowledged).to_have_attribute("data-status", "acknowledged")
    expect(page.get_by_test_id("open-alert-count")).to_have_text(str(before - 1))
    alert = Alert.objects.get(pk=alert_id)
    assert (alert.status, alert.acknowledged_by, alert.acknowledge_note) == (
        Alert.Status.ACKNOWLEDGED,
        physio,
        "Called the patient; seen today.",
    )

    # Sign out: back on the sign-in page, and the dashboard asks for it again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=(/|%2F)$"))
    assert page.script_errors == []


def test_tab_reaches_the_sign_in_fields_and_button_each_with_a_visible_focus(page):
    page.goto("/sign-in/")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    wanted = {"username": None, "password": None, "Sign in": None}
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement, style = getComputedStyle(el);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return {key: el.name || el.innerText.trim(), visible: outline || style.boxShadow !== 'none',
                        ring: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor} / ${style.boxShadow}`};
            }"""
        )
        if focused["key"] in wanted and wanted[focused["key"]] is None:
            wanted[focused["key"]] = focused
        if all(wanted.values()):
            break
    assert all(wanted.values()), f"Tab never reached: {[k for k, v in wanted.items() if v is None]}"
    assert all(f["visible"] for f in wanted.values()), wanted
