"""The dashboard's RTM: the card and its actions, the clinic's report (admins only), who is close to a band."""

import csv
import io
from datetime import date

import pytest
from django.test import Client

from patients.models import AuditEntry
from rehab.billing.models import Episode, MonthClose, TimeEntry, Timer
from tests.billing.rtm import log_days, rtm_patient, spent, utc
from tests.factories import enrolled_patient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(utc(2026, 11, 20, 12)),
    pytest.mark.usefixtures("frozen_clock"),
]

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ruth(clinic, physio):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 13), name="Ruth")  # 13 Nov - 12 Dec
    log_days(patient, date(2026, 11, 13), 6)
    return patient


def test_the_card_shows_the_period_data_days_minutes_codes_and_what_is_missing(ruth, physio):
    spent(ruth, physio, utc(2026, 11, 19, 9), 12)
    response = signed_in(physio).get(f"/patients/{ruth.pk}/rtm/card/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-11-13 to 2026-12-12" in html
    assert 'data-testid="rtm-data-days">6<' in html
    assert 'data-testid="rtm-minutes">12<' in html
    assert 'data-testid="rtm-period-codes">98985, 98975 (billed when it ends)<' in html
    assert 'data-testid="rtm-codes">None yet<' in html  # the period ends in December
    assert "8 more minutes and a call for 98980" in html
    assert "10 more data days by 12 Dec for 98977" in html


def test_the_card_costs_the_same_queries_with_more_entries(ruth, physio, django_assert_max_num_queries):
    web = signed_in(physio)
    for n in range(8):
        spent(ruth, physio, utc(2026, 11, 14 + n % 5, 9 + n), 5)
    with django_assert_max_num_queries(16):
        assert web.get(f"/patients/{ruth.pk}/rtm/card/").status_code == 200


def test_another_clinics_patient_is_a_404_and_someone_signed_out_goes_to_sign_in(ruth, other_physio):
    assert signed_in(other_physio).get(f"/patients/{ruth.pk}/rtm/card/").status_code == 404
    assert signed_in(other_physio).post(f"/patients/{ruth.pk}/rtm/timer/start/").status_code == 404
    response = Client().get(f"/patients/{ruth.pk}/rtm/card/")
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_timer_starts_stops_and_is_confirmed_from_the_card(ruth, physio, frozen_clock):
    web = signed_in(physio)
    response = web.post(f"/patients/{ruth.pk}/rtm/timer/start/", **HTMX)
    assert response.status_code == 200 and "Running since" in response.content.decode()
    timer = Timer.objects.get(patient=ruth)
    frozen_clock.move_to(utc(2026, 11, 20, 12, 25))
    response = web.post(f"/patients/{ruth.pk}/rtm/timer/stop/", {"timer": timer.pk}, **HTMX)
    assert "Stopped after 25 min" in response.content.decode()
    body = {"timer": timer.pk, "activity": "call", "minutes": "22", "interactive": "on", "note": "plan review"}
    response = web.post(f"/patients/{ruth.pk}/rtm/timer/confirm/", body, **HTMX)
    assert 'data-testid="rtm-minutes">22<' in response.content.decode()
    entry = TimeEntry.objects.get(patient=ruth)
    assert (entry.started_at, entry.minutes, entry.interactive, entry.clinician) == (
        utc(2026, 11, 20, 12), 22, True, physio
    )  # fmt: skip


def test_a_refused_action_shows_the_card_with_the_reason(ruth, physio, frozen_clock):
    web = signed_in(physio)
    web.post(f"/patients/{ruth.pk}/rtm/timer/start/", **HTMX)
    frozen_clock.move_to(utc(2026, 11, 20, 12, 5))
    timer = Timer.objects.get(patient=ruth)
    body = {"timer": timer.pk, "activity": "call", "minutes": "30", "interactive": "on"}
    response = web.post(f"/patients/{ruth.pk}/rtm/timer/confirm/", body, **HTMX)
    assert response.status_code == 200
    assert 'data-testid="rtm-errors"' in response.content.decode() and "count at most that" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_minutes_typed_in_the_clinics_zone_are_recorded_once_per_form(clinic, ruth, physio):
    clinic.time_zone = "America/New_York"
    clinic.save()
    web = signed_in(physio)
    body = {"form_token": "6b0d8a3e-5a43-4c39-9d61-0d7f3e7a1f11", "activity": "messaging", "date": "2026-11-19",
            "start": "21:30", "minutes": "15", "note": "answered her questions"}  # fmt: skip
    first = web.post(f"/patients/{ruth.pk}/rtm/minutes/", body, **HTMX)
    again = web.post(f"/patients/{ruth.pk}/rtm/minutes/", body, **HTMX)
    assert first.status_code == again.status_code == 200
    entry = TimeEntry.objects.get(patient=ruth)
    assert (entry.started_at, entry.minutes, entry.interactive) == (utc(2026, 11, 20, 2, 30), 15, False)
    # The repeat recorded nothing, so the audit log has one change for it, not two.
    assert AuditEntry.objects.filter(action="create", resource__endswith="/rtm/minutes/").count() == 1


def test_without_htmx_an_action_goes_back_to_the_patients_page(clinic, physio):
    patient = enrolled_patient(start=date(2026, 11, 1), clinic=clinic, timezone="UTC")
    response = signed_in(physio).post(f"/patients/{patient.pk}/rtm/start/", {"started_on": "2026-11-02"})
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.pk}/"
    assert Episode.objects.get(patient=patient).started_on == date(2026, 11, 2)
    response = signed_in(physio).post(f"/patients/{patient.pk}/rtm/stop/", {"stopped_on": "2026-11-01"})
    assert response.status_code == 302 and Episode.objects.get(patient=patient).stopped_on is None


def test_the_rpm_flag_is_set_from_the_card(ruth, physio):
    response = signed_in(physio).post(f"/patients/{ruth.pk}/rtm/rpm/", {"month": "2026-11", "rpm": "on"}, **HTMX)
    assert "None: billed as RPM" in response.content.decode()


def test_the_monthly_report_is_for_clinic_admins_with_a_billable_filter(clinic, ruth, physio, clinic_admin):
    rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="Quiet")
    spent(ruth, physio, utc(2026, 11, 19, 9), 12, interactive=True)  # 98979 in November
    assert signed_in(physio).get("/billing/").status_code == 403
    admin = signed_in(clinic_admin)
    page = admin.get("/billing/", {"month": "2026-10"}).content.decode()
    assert "Quiet" in page and "Ruth" not in page  # Ruth's episode starts in November
    page = admin.get("/billing/", {"month": "2026-11", "billable": "true"}).content.decode()
    assert "Ruth" in page and "Quiet" not in page
    assert admin.get("/billing/", {"month": "2026-13"}).status_code == 400


def test_the_report_csv_is_the_apis_and_downloading_does_not_close_the_month(clinic, physio, clinic_admin):
    rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="=SUM(A1)")
    response = signed_in(clinic_admin).get("/billing/report.csv", {"month": "2026-10"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["patient"] == "'=SUM(A1)" and row["month"] == "2026-10"
    assert not MonthClose.objects.exists()
    assert signed_in(physio).get("/billing/report.csv").status_code == 403


def test_a_clinic_admin_closes_a_month_from_the_report(clinic, ruth, clinic_admin):
    admin = signed_in(clinic_admin)
    assert "Close 2026-10" in admin.get("/billing/", {"month": "2026-10"}).content.decode()
    assert "Close 2026-11" not in admin.get("/billing/", {"month": "2026-11"}).content.decode()  # not over
    response = admin.post("/billing/close-month/", {"month": "2026-10"})
    assert response.status_code == 302 and MonthClose.objects.filter(clinic=clinic, month=date(2026, 10, 1)).exists()


def test_close_to_a_threshold_lists_who_can_still_reach_the_next_band(clinic, ruth, physio):
    rtm_patient(clinic, physio, started_on=date(2026, 10, 24), name="Far")  # 24 Oct - 22 Nov: 3 days left
    page = signed_in(physio).get("/billing/close-to-threshold/").content.decode()
    assert "Ruth" in page and "10 more data days by 12 Dec for 98977" in page
    assert "Far" in page and "2 more data days by 22 Nov for 98985 and 98975" in page
    assert page.index("Far") < page.index("Ruth")  # fewest days missing first


def test_a_clinic_admin_chooses_the_data_day_rule_on_the_report_page(clinic, clinic_admin, physio):
    from rehab.billing.selectors.ledger import data_day_rule_of

    admin = signed_in(clinic_admin)
    assert admin.post("/billing/data-day-rule/", {"data_day_rule": "exercise_logs"}).status_code == 302
    assert data_day_rule_of(clinic) == "exercise_logs"
    assert 'value="exercise_logs" selected' in admin.get("/billing/").content.decode()
    admin.post("/billing/data-day-rule/", {"data_day_rule": "every_log"})
    assert data_day_rule_of(clinic) == "exercise_logs"
    assert signed_in(physio).post("/billing/data-day-rule/", {"data_day_rule": "any_log"}).status_code == 403


def test_the_patient_pages_slot_loads_the_card(ruth):
    from django.template.loader import render_to_string

    html = render_to_string("dashboard/billing/_rtm_card_slot.html", {"patient": ruth})
    assert f'hx-get="/patients/{ruth.pk}/rtm/card/"' in html and 'hx-trigger="load"' in html
