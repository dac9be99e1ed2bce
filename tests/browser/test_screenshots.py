"""The three pages a physio reads, at a desktop's and a tablet's size: drawn, laid out, and photographed.

The screenshots go to var/screenshots/ (the README names it) for a person to look at; the test
checks what a machine can: each chart holds data, the page is no wider than the window, and
no two blocks of a row are drawn on top of each other.
"""

import pytest
from playwright.sync_api import expect

from rehab.alerts.models import Alert
from tests.browser.pages import DESKTOP, TABLET, charts_drawn, go_to_alerts, layout_defects, signed_in_without_code

# Transactional: the server reads the test database in its own processes.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_patients_a_patient_and_the_inbox_are_drawn_whole_at_this_size(page, demo, screenshots, viewport):
    size = f"{viewport['width']}x{viewport['height']}"
    page.set_viewport_size(viewport)
    signed_in_without_code(page, demo.physio.username, demo.password)

    expect(page.get_by_test_id("patient-row").first).to_be_visible()
    assert page.locator('[data-testid="patient-row"] svg').count() > 0, "the 14-day sparklines are drawn"
    page.screenshot(path=screenshots / f"patients-{size}.png", full_page=True)
    assert layout_defects(page) == []
    if viewport == DESKTOP:  # on a tablet the table scrolls in its own box; at a desktop it shows every column
        box = page.get_by_role("region", name="Patients table")
        widths = box.evaluate("(box) => [box.scrollWidth, box.clientWidth]")
        columns = box.locator("thead th").evaluate_all("(ths) => ths.map((th) => `${th.innerText} ${th.offsetWidth}`)")
        assert widths[0] <= widths[1], f"the patients table ({widths[0]} px) is cut off at {widths[1]} px: {columns}"

    patient = Alert.objects.get(clinic=demo.physio.clinic, code="review_not_improved").patient
    page.get_by_role("link", name=patient.display_name, exact=True).click()
    points = charts_drawn(page)
    assert all(n > 0 for n in points.values()), points
    page.screenshot(path=screenshots / f"patient-{size}.png", full_page=True)
    assert layout_defects(page) == []

    go_to_alerts(page)
    expect(page.get_by_test_id("alert").first).to_be_visible()
    page.screenshot(path=screenshots / f"alerts-{size}.png", full_page=True)
    assert layout_defects(page) == []
    assert page.script_errors == []
