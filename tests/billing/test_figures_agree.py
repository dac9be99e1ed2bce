"""The portable computation (the embedded SQLite default) gives the set-based statement's figures."""

from datetime import date

import pytest

from config import clock
from rehab.billing.models import ClinicBillingSettings, RpmMonth
from rehab.billing.selectors.figures import month_figures
from rehab.billing.selectors.figures_portable import month_figures_portable
from rehab.billing.selectors.ledger import Month
from rehab.billing.services.months import month_close
from rehab.billing.services.time_entries import time_entry_correct
from rehab.records.services import patient_update
from tests.billing.rtm import log_days, log_on, rtm_patient, spent, utc
from tests.factories import PhysioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(utc(2026, 11, 20, 12))]


@pytest.fixture
def cohort(clinic, physio, clinic_admin, frozen_clock):
    colleague = PhysioFactory(clinic=clinic)
    east = rtm_patient(clinic, physio, started_on=date(2026, 9, 20), timezone="Pacific/Kiritimati", name="A East")
    west = rtm_patient(clinic, physio, started_on=date(2026, 10, 17), timezone="Pacific/Pago_Pago", name="B West")
    gone = rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="C Gone")
    log_days(east, date(2026, 9, 20), 40)
    log_days(west, date(2026, 10, 17), 9)
    log_days(west, date(2026, 11, 10), 11, kind="exercise")
    log_days(gone, date(2026, 10, 1), 20)
    for patient in (east, west):
        spent(patient, physio, utc(2026, 10, 5, 10), 15, interactive=True)
        spent(patient, physio, utc(2026, 10, 5, 10, 10), 15)
        spent(patient, colleague, utc(2026, 10, 5, 10, 5), 12)
        entry = spent(patient, physio, utc(2026, 11, 3, 9), 30, interactive=True)
        time_entry_correct(entry=entry, by=physio, minutes=21, note="was 21")
        reversed_one = spent(patient, colleague, utc(2026, 11, 4, 9), 9)
        time_entry_correct(entry=reversed_one, by=colleague, reverse=True, note="wrong patient")
    frozen_clock.move_to(utc(2026, 10, 25, 12))
    patient_update(patient=gone, by=physio, data={"status": "discharged"})
    frozen_clock.move_to(utc(2026, 11, 20, 12))
    RpmMonth.objects.create(patient=west, month=date(2026, 10, 1), set_by=physio, set_at=clock.now())
    month_close(clinic=clinic, month=date(2026, 10, 1), by=clinic_admin)
    log_on(east, date(2026, 10, 30), received_at=utc(2026, 11, 20, 13))  # after the close
    spent(west, physio, utc(2026, 10, 6, 9), 5, recorded_at=utc(2026, 11, 20, 13))
    frozen_clock.move_to(utc(2026, 11, 20, 14))
    return clinic


@pytest.mark.parametrize("month", [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)])
@pytest.mark.parametrize(
    "rule", [ClinicBillingSettings.DataDayRule.ANY_LOG, ClinicBillingSettings.DataDayRule.EXERCISE_LOGS]
)
def test_both_ways_give_the_same_figures(cohort, month, rule):
    span = Month.of(month, time_zone="America/New_York")
    args = {
        "clinic_id": cohort.pk,
        "data_day_rule": rule,
        "month": span.first,
        "month_end": span.last,
        "month_from": span.starts_at,
        "month_until": span.ends_at,
        "now": clock.now(),
        "period_days": 30,
    }
    set_based = month_figures(**args)
    assert set_based == month_figures_portable(**args)
    if month == date(2026, 10, 1) and rule == ClinicBillingSettings.DataDayRule.ANY_LOG:  # the scenario is there
        assert {f.display_name for f in set_based} == {"A East", "B West", "C Gone"}
        assert any(f.late_entries for f in set_based) and any(p.late_days for f in set_based for p in f.periods)
        assert any(f.rpm for f in set_based) and any(f.clinicians == 2 for f in set_based)
