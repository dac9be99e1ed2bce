"""Device supply and set-up: 30-day periods in the patient's local days, distinct data days, one code each."""

from datetime import date, timedelta

import pytest

from rehab.billing.models import ClinicBillingSettings
from rehab.billing.selectors.ledger import clinic_month_rows
from rehab.billing.services.episodes import data_day_rule_set
from rehab.records.services import patient_update
from tests.billing.rtm import log_days, log_on, rtm_patient, utc
from tests.support.logs import pain

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(utc(2026, 11, 20, 12))]

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def row_of(clinic, month, patient):
    rows = [r for r in clinic_month_rows(clinic=clinic, month=month) if r["patient"]["id"] == patient.pk]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    ("days", "codes"),
    [(0, []), (1, []), (2, ["98985", "98975"]), (15, ["98985", "98975"]), (16, ["98977", "98975"])],
)
def test_the_first_period_earns_its_supply_band_and_set_up_at_two_days(clinic, physio, frozen_clock, days, codes):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    log_days(patient, OCTOBER, days)
    row = row_of(clinic, OCTOBER, patient)
    period, running = row["periods"]  # the second starts on 31 Oct
    assert (period["start"], period["end"], period["data_days"]) == ("2026-10-01", "2026-10-30", days)
    assert (running["start"], running["billed_this_month"], running["data_days"]) == ("2026-10-31", False, 0)
    assert period["complete"] and period["billed_this_month"]
    assert row["codes"] == codes
    assert row["billable"] is bool(codes)


@pytest.mark.parametrize(("days", "codes"), [(1, []), (2, ["98985"]), (15, ["98985"]), (16, ["98977"])])
def test_a_later_period_earns_supply_only_set_up_is_once_per_episode(clinic, physio, frozen_clock, days, codes):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 9, 1))  # periods: 1 Sep-30 Sep, 1 Oct-30 Oct
    log_days(patient, date(2026, 10, 1), days)
    row = row_of(clinic, OCTOBER, patient)
    period = row["periods"][0]
    assert (period["number"], period["data_days"], period["codes"]) == (2, days, codes)
    assert row["codes"] == codes


def test_several_logs_on_one_day_are_one_data_day(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    for _ in range(3):
        log_on(patient, OCTOBER)
    log_on(patient, OCTOBER, kind="exercise")
    assert row_of(clinic, OCTOBER, patient)["periods"][0]["data_days"] == 1


def test_a_period_that_crosses_a_month_end_is_billed_in_the_month_it_ends(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 20))  # 20 Oct - 18 Nov
    log_days(patient, date(2026, 10, 25), 10)  # 25 Oct - 3 Nov: 7 days in October, 3 in November
    october, november = row_of(clinic, OCTOBER, patient), row_of(clinic, NOVEMBER, patient)
    assert october["periods"][0]["end"] == november["periods"][0]["end"] == "2026-11-18"
    assert october["periods"][0]["data_days"] == november["periods"][0]["data_days"] == 10
    assert not october["periods"][0]["billed_this_month"] and october["codes"] == []
    assert november["periods"][0]["billed_this_month"] and november["codes"] == ["98985", "98975"]


def test_the_next_period_starts_afresh_nothing_carries_over(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 1))
    log_days(patient, date(2026, 10, 1), 30)  # the whole first period
    log_on(patient, date(2026, 10, 31))  # the second period's first day
    periods = row_of(clinic, NOVEMBER, patient)["periods"]
    assert [(p["start"], p["data_days"]) for p in periods] == [("2026-10-31", 1), ("2026-11-30", 0)]


@pytest.mark.frozen_at(utc(2026, 11, 30, 12))
def test_days_are_the_patients_local_days_at_utc_plus_14_and_utc_minus_11(clinic, physio, frozen_clock):
    east = rtm_patient(clinic, physio, started_on=NOVEMBER, timezone="Pacific/Kiritimati", name="East")  # UTC+14
    west = rtm_patient(clinic, physio, started_on=NOVEMBER, timezone="Pacific/Pago_Pago", name="West")  # UTC-11
    frozen_clock.move_to(utc(2026, 10, 31, 11, 30))
    pain(east, 3, utc(2026, 10, 31, 11, 0), check=False)  # 1 Nov 01:00 in Kiritimati: in the period
    pain(west, 3, utc(2026, 10, 31, 11, 0), check=False)  # 31 Oct 00:00 in Pago Pago: before it
    frozen_clock.move_to(utc(2026, 11, 30, 10, 30))
    pain(east, 3, utc(2026, 11, 30, 10, 0), check=False)  # 1 Dec 00:00 in Kiritimati: after the period
    pain(west, 3, utc(2026, 11, 30, 10, 0), check=False)  # 29 Nov 23:00 in Pago Pago: in it
    frozen_clock.move_to(utc(2026, 11, 30, 12))  # 1 Dec in Kiritimati, 30 Nov 01:00 in Pago Pago
    east_row, west_row = row_of(clinic, NOVEMBER, east), row_of(clinic, NOVEMBER, west)
    assert east_row["periods"][0]["data_days"] == 1 and west_row["periods"][0]["data_days"] == 1
    assert east_row["periods"][0]["complete"] and east_row["periods"][0]["missing"] == []
    assert [p["start"] for p in east_row["periods"]] == ["2026-11-01"]  # 1 Dec is not in the clinic's November
    assert not west_row["periods"][0]["complete"]
    assert west_row["periods"][0]["missing"] == ["1 more data day by 30 Nov for 98985 and 98975"]


@pytest.mark.frozen_at(utc(2026, 12, 1, 12))
def test_what_is_missing_names_the_days_the_date_and_the_code(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 13))  # 13 Nov - 12 Dec
    log_days(patient, date(2026, 11, 13), 13)
    period = row_of(clinic, date(2026, 12, 1), patient)["periods"][0]
    assert period["codes"] == ["98985", "98975"]
    assert period["missing"] == ["3 more data days by 12 Dec for 98977"]


@pytest.mark.frozen_at(utc(2026, 12, 10, 12))
def test_a_band_out_of_reach_this_period_is_not_offered(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 13))  # 13 Nov - 12 Dec: 3 days left
    log_days(patient, date(2026, 11, 13), 12)  # needs 4 more for 98977
    assert row_of(clinic, date(2026, 12, 1), patient)["periods"][0]["missing"] == []


@pytest.mark.frozen_at(utc(2026, 11, 20, 12))
def test_a_log_synced_late_counts_on_its_own_local_day_in_a_past_period(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 1))
    log_days(patient, date(2026, 10, 1), 15)
    assert row_of(clinic, OCTOBER, patient)["codes"] == ["98985", "98975"]
    log_on(patient, date(2026, 10, 20), received_at=utc(2026, 11, 19, 9))  # a phone offline for a month
    row = row_of(clinic, OCTOBER, patient)
    assert row["periods"][0]["data_days"] == 16 and row["codes"] == ["98977", "98975"]


def test_a_discharge_ends_the_episode_on_the_patients_local_discharge_date(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 1), timezone="Pacific/Kiritimati")
    log_days(patient, date(2026, 11, 1), 8)
    frozen_clock.move_to(utc(2026, 11, 8, 11))  # 9 Nov 01:00 in Kiritimati
    patient_update(patient=patient, by=physio, data={"status": "discharged"})
    frozen_clock.move_to(utc(2026, 11, 20, 12))
    log_days(patient, date(2026, 11, 10), 5)  # after the discharge: not monitored
    (period,) = row_of(clinic, NOVEMBER, patient)["periods"]
    assert (period["end"], period["data_days"], period["complete"]) == ("2026-11-09", 8, True)
    assert period["codes"] == ["98985", "98975"] and period["missing"] == []


def test_a_stopped_episode_counts_up_to_its_last_day(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 1))
    episode = patient.rtm_episodes.get()
    episode.stopped_on = date(2026, 11, 5)
    episode.save()
    log_days(patient, date(2026, 11, 1), 10)
    (period,) = row_of(clinic, NOVEMBER, patient)["periods"]
    assert (period["end"], period["data_days"]) == ("2026-11-05", 5)


def test_the_clinic_may_count_exercise_logs_only(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    log_days(patient, OCTOBER, 5)
    log_days(patient, OCTOBER + timedelta(days=10), 2, kind="exercise")
    assert row_of(clinic, OCTOBER, patient)["periods"][0]["data_days"] == 7
    data_day_rule_set(clinic=clinic, data_day_rule=ClinicBillingSettings.DataDayRule.EXERCISE_LOGS)
    assert row_of(clinic, OCTOBER, patient)["periods"][0]["data_days"] == 2


def test_another_clinics_patients_are_not_in_the_ledger(clinic, physio, other_physio, frozen_clock):
    ours = rtm_patient(clinic, physio, started_on=OCTOBER, name="Ours")
    rtm_patient(other_physio.clinic, other_physio, started_on=OCTOBER, name="Theirs")
    assert [r["patient"]["id"] for r in clinic_month_rows(clinic=clinic, month=OCTOBER)] == [ours.pk]
