"""Treatment management per calendar month in the clinic's zone: merged minutes, a live call, the bands."""

from datetime import date

import pytest

from rehab.billing.selectors.ledger import clinic_month_rows
from rehab.billing.services.time_entries import time_entry_correct
from tests.billing.rtm import rtm_patient, spent, utc
from tests.factories import PhysioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(utc(2026, 11, 20, 12))]

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def row_of(clinic, month, patient):
    (row,) = [r for r in clinic_month_rows(clinic=clinic, month=month) if r["patient"]["id"] == patient.pk]
    return row


@pytest.mark.parametrize(
    ("minutes", "codes"),
    [
        (9, []),
        (10, ["98979"]),
        (19, ["98979"]),
        (20, ["98980"]),
        (39, ["98980"]),
        (40, ["98980", "98981"]),
        (59, ["98980", "98981"]),
        (60, ["98980", "98981", "98981"]),
    ],
)
def test_a_months_minutes_with_a_call_earn_their_band(clinic, physio, frozen_clock, minutes, codes):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 5))  # no supply period ends in October
    spent(patient, physio, utc(2026, 10, 6, 9), minutes - 5)
    spent(patient, physio, utc(2026, 10, 20, 9), 5, interactive=True)
    row = row_of(clinic, OCTOBER, patient)
    assert (row["minutes"], row["interactive"]) == (minutes, True)
    assert row["management_codes"] == codes == row["codes"]


def test_a_month_without_a_live_call_earns_no_management_code(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 5))
    spent(patient, physio, utc(2026, 11, 6, 9), 12)
    row = row_of(clinic, NOVEMBER, patient)
    assert (row["minutes"], row["interactive"], row["management_codes"]) == (12, False, [])
    assert row["missing"][-2:] == ["a call for 98979", "8 more minutes and a call for 98980"]


def test_what_is_missing_with_a_call_counts_minutes_to_the_next_band(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 5))
    spent(patient, physio, utc(2026, 11, 6, 9), 47, interactive=True)
    assert row_of(clinic, NOVEMBER, patient)["missing"][-1] == "13 more minutes for 98981"


def test_a_past_month_says_nothing_is_missing_for_its_minutes(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 5))
    spent(patient, physio, utc(2026, 10, 6, 9), 12)
    assert row_of(clinic, OCTOBER, patient)["missing"] == []


def test_one_clinicians_overlapping_minutes_count_once(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 5))
    spent(patient, physio, utc(2026, 11, 6, 10, 0), 15, interactive=True)  # 10:00-10:15
    spent(patient, physio, utc(2026, 11, 6, 10, 10), 15)  # 10:10-10:25: 10 new minutes
    spent(patient, physio, utc(2026, 11, 6, 10, 12), 3)  # inside both
    spent(patient, physio, utc(2026, 11, 6, 10, 25), 5)  # touching: 5 new minutes
    row = row_of(clinic, NOVEMBER, patient)
    assert (row["minutes"], row["clinicians"], row["management_codes"]) == (30, 1, ["98980"])


def test_two_clinicians_minutes_at_the_same_time_both_count(clinic, physio, frozen_clock):
    colleague = PhysioFactory(clinic=clinic)
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 5))
    spent(patient, physio, utc(2026, 11, 6, 10, 0), 15, interactive=True)
    spent(patient, colleague, utc(2026, 11, 6, 10, 5), 15)
    row = row_of(clinic, NOVEMBER, patient)
    assert (row["minutes"], row["clinicians"], row["management_codes"]) == (30, 2, ["98980"])


def test_minutes_never_roll_over_and_months_are_the_clinics(clinic, physio, frozen_clock):
    clinic.time_zone = "America/New_York"
    clinic.save()
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 5))
    spent(patient, physio, utc(2026, 10, 31, 12), 15, interactive=True)
    spent(patient, physio, utc(2026, 11, 1, 3, 30), 15, interactive=True)  # 31 Oct 23:30 in New York
    spent(patient, physio, utc(2026, 11, 1, 5), 8, interactive=True)  # 1 Nov 01:00 in New York
    assert row_of(clinic, OCTOBER, patient)["minutes"] == 30
    assert row_of(clinic, NOVEMBER, patient)["minutes"] == 8


def test_an_amended_entry_counts_its_new_figures_and_a_reversed_one_nothing(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 5))
    first = spent(patient, physio, utc(2026, 11, 6, 9), 25, interactive=True)
    kept = spent(patient, physio, utc(2026, 11, 7, 9), 5)
    amended = time_entry_correct(entry=first, by=physio, minutes=15, note="was 15")
    assert row_of(clinic, NOVEMBER, patient)["minutes"] == 20
    time_entry_correct(entry=amended, by=physio, reverse=True, note="wrong patient")
    row = row_of(clinic, NOVEMBER, patient)
    assert (row["minutes"], row["interactive"]) == (5, False)
    assert kept.pk in {e.pk for e in patient.rtm_time_entries.all()}
    assert patient.rtm_time_entries.count() == 4  # nothing was changed or deleted


def test_a_patient_without_an_episode_that_month_has_no_row(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 11, 5))
    spent(patient, physio, utc(2026, 10, 6, 9), 25, interactive=True)
    assert clinic_month_rows(clinic=clinic, month=OCTOBER) == []
    assert row_of(clinic, NOVEMBER, patient)["minutes"] == 0
