"""The RTM endpoints: clinic scoping (404), roles (403), own time only, the report, its CSV and the month close."""

import csv
import io
from datetime import date

import pytest

from rehab.billing.models import Episode, MonthClose, TimeEntry
from tests.billing.rtm import log_days, rtm_patient, spent, utc
from tests.config.test_error_shape import assert_error
from tests.factories import PhysioFactory, enrolled_patient
from tests.support.patient_api import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(utc(2026, 11, 20, 12)),
    pytest.mark.usefixtures("frozen_clock"),  # before any token is issued: tokens are dated by the clock
]


@pytest.fixture
def ruth(clinic, physio):
    return rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="Ruth")


@pytest.fixture
def admin_client(clinic_admin):
    return client_for(clinic_admin)


def rtm(patient, rest=""):
    return f"/api/v1/patients/{patient.pk}/rtm/{rest}"


# --- scoping and roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "ledger/", None),
        ("get", "episodes/", None),
        ("post", "episodes/stop/", {}),
        ("get", "time-entries/", None),
        (
            "post",
            "time-entries/",
            {"activity": "call", "started_at": "2026-11-20T09:00:00Z", "minutes": 5, "interactive": True},
        ),
        ("post", "timers/", None),
        ("put", "rpm/", {"month": "2026-11", "rpm": True}),
    ],
)
def test_another_clinics_patient_is_not_found_and_a_patient_is_refused(
    ruth, other_physio, frozen_clock, method, path, body
):
    response = getattr(client_for(other_physio), method)(rtm(ruth, path), body, format="json")
    assert_error(response, 404, "not_found")
    response = getattr(client_for(ruth.user), method)(rtm(ruth, path), body, format="json")
    assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize("path", ["/api/v1/rtm/report/", "/api/v1/rtm/report.csv", "/api/v1/rtm/closes/"])
def test_the_clinic_report_is_for_clinic_admins_only(physio_client, path, frozen_clock):
    assert_error(physio_client.get(path), 403, "permission_denied")


# --- episodes ------------------------------------------------------------------------------------------------
def test_a_physio_starts_and_stops_monitoring(clinic, physio_client, frozen_clock):
    patient = enrolled_patient(start=date(2026, 11, 1), clinic=clinic, timezone="UTC")
    response = physio_client.post(rtm(patient, "episodes/start/"), {"started_on": "2026-11-02"}, format="json")
    assert response.status_code == 201 and response.json()["started_on"] == "2026-11-02"
    assert_error(physio_client.post(rtm(patient, "episodes/start/"), {}, format="json"), 409, "conflict")
    response = physio_client.post(rtm(patient, "episodes/stop/"), {}, format="json")
    assert response.status_code == 200 and response.json()["stopped_on"] == "2026-11-20"
    assert physio_client.get(rtm(patient, "episodes/")).json()["count"] == 1


def test_an_unknown_field_or_a_bad_date_is_a_400_naming_it(clinic, physio_client, frozen_clock):
    patient = enrolled_patient(start=date(2026, 11, 1), clinic=clinic, timezone="UTC")
    response = physio_client.post(rtm(patient, "episodes/start/"), {"start": "2026-11-02"}, format="json")
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"start"}
    response = physio_client.post(rtm(patient, "episodes/start/"), {"started_on": "2026-11-2"}, format="json")
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"started_on"}
    assert not Episode.objects.filter(patient=patient).exists()


# --- time entries --------------------------------------------------------------------------------------------
ENTRY = {"activity": "call", "started_at": "2026-11-20T09:00:00-02:00", "minutes": 12, "interactive": True}


def test_a_physio_records_and_sees_only_their_own_time_a_clinic_admin_sees_everyones(
    ruth, physio, physio_client, admin_client, frozen_clock
):
    colleague = PhysioFactory(clinic=ruth.clinic)
    response = physio_client.post(rtm(ruth, "time-entries/"), {**ENTRY, "note": "weekly call"}, format="json")
    assert response.status_code == 201
    assert (response.json()["clinician"]["id"], response.json()["in_effect"]) == (physio.pk, True)
    client_for(colleague).post(rtm(ruth, "time-entries/"), ENTRY, format="json")
    mine = physio_client.get(rtm(ruth, "time-entries/")).json()
    assert [e["clinician"]["id"] for e in mine["results"]] == [physio.pk]
    everyone = admin_client.get(rtm(ruth, "time-entries/")).json()
    assert sorted(e["clinician"]["id"] for e in everyone["results"]) == sorted([physio.pk, colleague.pk])
    one = admin_client.get(rtm(ruth, "time-entries/"), {"clinician": colleague.pk}).json()
    assert [e["clinician"]["id"] for e in one["results"]] == [colleague.pk]


def test_a_correction_is_a_new_entry_and_only_the_author_may_make_it(ruth, physio, physio_client, frozen_clock):
    entry = spent(ruth, physio, utc(2026, 11, 19, 9), 12)
    path = rtm(ruth, f"time-entries/{entry.pk}/corrections/")
    colleague = client_for(PhysioFactory(clinic=ruth.clinic))
    assert_error(colleague.post(path, {"minutes": 20, "note": "x"}, format="json"), 403, "permission_denied")
    response = physio_client.post(path, {"minutes": 20, "note": "it was 20"}, format="json")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["corrects"], response.json()["minutes"]) == ("amend", entry.pk, 20)
    assert_error(physio_client.post(path, {"reverse": True, "note": "x"}, format="json"), 409, "conflict")
    listed = {e["id"]: e for e in physio_client.get(rtm(ruth, "time-entries/")).json()["results"]}
    assert (listed[entry.pk]["in_effect"], listed[entry.pk]["corrected_by"]) == (False, response.json()["id"])
    assert TimeEntry.objects.filter(patient=ruth).count() == 2


def test_another_patients_entry_is_not_found_under_this_patient(clinic, ruth, physio, physio_client, frozen_clock):
    other = rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="Other")
    entry = spent(other, physio, utc(2026, 11, 19, 9), 12)
    response = physio_client.post(rtm(ruth, f"time-entries/{entry.pk}/corrections/"), {"note": "x"}, format="json")
    assert_error(response, 404, "not_found")


def test_a_timer_is_started_stopped_and_confirmed_through_the_api(ruth, physio, physio_client, frozen_clock):
    started = physio_client.post(rtm(ruth, "timers/"))
    assert started.status_code == 201 and started.json()["running"] is True
    timer = started.json()["id"]
    assert_error(physio_client.post(rtm(ruth, "timers/")), 409, "conflict")
    frozen_clock.move_to(utc(2026, 11, 20, 12, 14))  # within the access token's 15 minutes
    stopped = physio_client.post(rtm(ruth, f"timers/{timer}/stop/"))
    assert (stopped.json()["running"], stopped.json()["minutes"]) == (False, 14)
    body = {"activity": "call", "interactive": True, "note": "went through the plan"}
    confirmed = physio_client.post(rtm(ruth, f"timers/{timer}/confirm/"), body, format="json")
    assert confirmed.status_code == 201 and confirmed.json()["minutes"] == 14
    assert physio_client.get(rtm(ruth, "timers/")).json()["count"] == 0
    other_client = client_for(PhysioFactory(clinic=ruth.clinic))
    assert_error(other_client.post(rtm(ruth, f"timers/{timer}/stop/")), 404, "not_found")


# --- the ledger and the report -------------------------------------------------------------------------------
def test_the_patients_ledger_gives_codes_and_what_is_missing(ruth, physio, physio_client, frozen_clock):
    log_days(ruth, date(2026, 10, 31), 6)  # the second period: 31 Oct - 29 Nov
    spent(ruth, physio, utc(2026, 11, 19, 9), 12)
    body = physio_client.get(rtm(ruth, "ledger/"), {"month": "2026-11"}).json()
    assert body["month"] == "2026-11-01"
    row = body["row"]
    assert (row["periods"][0]["data_days"], row["minutes"], row["codes"]) == (6, 12, ["98985"])
    assert row["missing"] == [
        "10 more data days by 29 Nov for 98977",
        "a call for 98979",
        "8 more minutes and a call for 98980",
    ]
    assert physio_client.get(rtm(ruth, "ledger/"), {"month": "2026-09"}).json()["row"] is None
    response = physio_client.get(rtm(ruth, "ledger/"), {"month": "2026-13"})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"month"}


def test_the_rpm_flag_takes_the_month_out_of_rtm_billing(ruth, physio, physio_client, frozen_clock):
    log_days(ruth, date(2026, 10, 1), 20)
    response = physio_client.put(rtm(ruth, "rpm/"), {"month": "2026-10", "rpm": True}, format="json")
    assert response.json() == {"month": "2026-10", "rpm": True}
    row = physio_client.get(rtm(ruth, "ledger/"), {"month": "2026-10"}).json()["row"]
    assert (row["rpm"], row["codes"], row["billable"]) == (True, [], False)


def test_the_monthly_report_filters_billable_rows(clinic, ruth, physio, admin_client, frozen_clock):
    quiet = rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="Quiet")
    log_days(ruth, date(2026, 10, 1), 16)
    report = admin_client.get("/api/v1/rtm/report/", {"month": "2026-10"}).json()
    assert [r["patient"]["display_name"] for r in report["results"]] == ["Quiet", "Ruth"]
    billable = admin_client.get("/api/v1/rtm/report/", {"month": "2026-10", "billable": "true"}).json()
    assert [(r["patient"]["id"], r["codes"]) for r in billable["results"]] == [(ruth.pk, ["98977", "98975"])]
    other = admin_client.get("/api/v1/rtm/report/", {"month": "2026-10", "billable": "false"}).json()
    assert [r["patient"]["id"] for r in other["results"]] == [quiet.pk]


def test_the_csv_opens_as_written_and_its_formula_cells_are_escaped(clinic, physio, admin_client, frozen_clock):
    for name in ['=HYPERLINK("http://x")', "+1 Ann", "-Bob", "@Cat", "Zoë"]:
        log_days(rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name=name), date(2026, 10, 1), 3)
    response = admin_client.get("/api/v1/rtm/report.csv", {"month": "2026-10"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="rtm-2026-10.csv"' in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    names = sorted(r["patient"] for r in rows)
    assert names == sorted(['\'=HYPERLINK("http://x")', "'+1 Ann", "'-Bob", "'@Cat", "Zoë"])
    first = rows[0]
    assert (first["month"], first["period_start"], first["period_end"]) == ("2026-10", "2026-10-01", "2026-10-30")
    assert (first["data_days"], first["codes"], first["billable"]) == ("3", "98985 98975", "yes")
    assert not MonthClose.objects.exists()  # downloading does not close the month


def test_a_clinic_admin_closes_a_month_once(ruth, admin_client, frozen_clock):
    response = admin_client.post("/api/v1/rtm/closes/", {"month": "2026-10"}, format="json")
    assert response.status_code == 201 and response.json()["rows"] == 1
    assert_error(admin_client.post("/api/v1/rtm/closes/", {"month": "2026-10"}, format="json"), 409, "conflict")
    assert_error(admin_client.post("/api/v1/rtm/closes/", {"month": "2026-11"}, format="json"), 409, "conflict")
    row = admin_client.get("/api/v1/rtm/report/", {"month": "2026-10"}).json()["results"][0]
    assert row["closed"] is True and row["closed_at"].startswith("2026-11-20T12:00:00")
    assert admin_client.get("/api/v1/rtm/closes/").json()["count"] == 1


def test_a_clinic_admin_chooses_the_data_day_rule(ruth, admin_client, physio_client, frozen_clock):
    assert admin_client.get("/api/v1/rtm/settings/").json() == {"data_day_rule": "any_log"}
    response = admin_client.put("/api/v1/rtm/settings/", {"data_day_rule": "exercise_logs"}, format="json")
    assert response.json() == {"data_day_rule": "exercise_logs"}
    assert_error(
        physio_client.put("/api/v1/rtm/settings/", {"data_day_rule": "any_log"}, format="json"),
        403,
        "permission_denied",
    )
