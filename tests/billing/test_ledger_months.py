"""Rule sets by date of service, the RPM exclusion, closed months frozen, one statement per month."""

from datetime import date

import pytest
from django.db import DatabaseError, transaction

from config.errors import Conflict
from rehab.billing.models import RuleSet, TimeEntry
from rehab.billing.selectors.ledger import clinic_month_rows
from rehab.billing.services.months import month_close, rpm_flag_set
from tests.billing.rtm import log_days, log_on, rtm_patient, spent, utc

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(utc(2026, 11, 20, 12))]

OCTOBER = date(2026, 10, 1)


def row_of(clinic, month, patient):
    (row,) = [r for r in clinic_month_rows(clinic=clinic, month=month) if r["patient"]["id"] == patient.pk]
    return row


# --- 2025 and 2026 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "codes_2025", "codes_2026"),
    [(2, [], ["98985", "98975"]), (15, [], ["98985", "98975"]), (16, ["98977", "98975"], ["98977", "98975"])],
)
def test_a_2025_period_is_billed_by_2025s_rules(clinic, physio, frozen_clock, days, codes_2025, codes_2026):
    old = rtm_patient(clinic, physio, started_on=date(2025, 10, 1), name="Old")
    new = rtm_patient(clinic, physio, started_on=date(2026, 10, 1), name="New")
    log_days(old, date(2025, 10, 1), days)
    log_days(new, date(2026, 10, 1), days)
    old_row, new_row = row_of(clinic, date(2025, 10, 1), old), row_of(clinic, OCTOBER, new)
    assert (old_row["rules"], old_row["codes"]) == ("CPT 2025", codes_2025)
    assert (new_row["rules"], new_row["codes"]) == ("CPT 2026", codes_2026)


@pytest.mark.parametrize(("minutes", "codes_2025"), [(10, []), (19, []), (20, ["98980"]), (40, ["98980", "98981"])])
def test_2025s_minutes_have_no_98979(clinic, physio, frozen_clock, minutes, codes_2025):
    patient = rtm_patient(clinic, physio, started_on=date(2025, 10, 5))
    spent(patient, physio, utc(2025, 10, 6, 9), minutes, interactive=True)
    assert row_of(clinic, date(2025, 10, 1), patient)["management_codes"] == codes_2025


def test_a_period_is_billed_by_the_rules_of_its_last_day(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2025, 12, 20))  # 20 Dec 2025 - 18 Jan 2026
    log_days(patient, date(2025, 12, 20), 5)
    period = row_of(clinic, date(2026, 1, 1), patient)["periods"][0]
    assert (period["rules"], period["codes"]) == ("CPT 2026", ["98985", "98975"])


def test_the_thresholds_are_the_stored_rule_sets(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    log_days(patient, OCTOBER, 5)
    RuleSet.objects.filter(name="CPT 2026").update(supply_high_days=5)
    assert row_of(clinic, OCTOBER, patient)["codes"] == ["98977", "98975"]


# --- RPM ------------------------------------------------------------------------------------------------------
def test_a_month_flagged_rpm_bills_no_rtm_code(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    log_days(patient, OCTOBER, 20)
    spent(patient, physio, utc(2026, 10, 6, 9), 25, interactive=True)
    assert row_of(clinic, OCTOBER, patient)["codes"] == ["98977", "98975", "98980"]
    rpm_flag_set(patient=patient, month=OCTOBER, by=physio, rpm=True)
    row = row_of(clinic, OCTOBER, patient)
    assert (row["rpm"], row["codes"], row["billable"], row["minutes"]) == (True, [], False, 25)
    assert row_of(clinic, date(2026, 11, 1), patient)["rpm"] is False
    rpm_flag_set(patient=patient, month=OCTOBER, by=physio, rpm=False)
    assert row_of(clinic, OCTOBER, patient)["billable"] is True


# --- closing a month -----------------------------------------------------------------------------------------
def test_a_closed_month_is_frozen_and_lists_what_arrived_after(clinic, physio, clinic_admin, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    log_days(patient, OCTOBER, 15)
    spent(patient, physio, utc(2026, 10, 6, 9), 15, interactive=True)
    before = row_of(clinic, OCTOBER, patient)
    month_close(clinic=clinic, month=OCTOBER, by=clinic_admin)
    frozen_clock.move_to(utc(2026, 11, 21, 12))
    log_on(patient, date(2026, 10, 20), received_at=utc(2026, 11, 21, 12))  # late: its month is closed
    spent(patient, physio, utc(2026, 10, 7, 9), 10, recorded_at=utc(2026, 11, 21, 12))
    after = row_of(clinic, OCTOBER, patient)
    assert after["closed"] is True
    frozen = {k: after[k] for k in before if k not in ("closed", "closed_at", "after_close")}
    assert frozen == {k: before[k] for k in frozen}
    assert (after["codes"], after["minutes"]) == (["98985", "98975", "98979"], 15)
    assert after["after_close"] == {"data_days": 1, "time_entries": 1}
    live = clinic_month_rows(clinic=clinic, month=OCTOBER, live=True)[0]
    assert live["periods"][0]["data_days"] == 15  # the late day counts in no later computation either


def test_a_late_log_of_a_closed_month_does_not_count_in_an_open_period(clinic, physio, clinic_admin, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=date(2026, 10, 20))  # 20 Oct - 18 Nov
    log_days(patient, date(2026, 11, 1), 15)
    month_close(clinic=clinic, month=OCTOBER, by=clinic_admin)
    log_on(patient, date(2026, 10, 25), received_at=utc(2026, 11, 20, 12, 1))
    row = row_of(clinic, date(2026, 11, 1), patient)
    assert (row["periods"][0]["data_days"], row["after_close"]["data_days"]) == (15, 1)
    assert row["codes"] == ["98985", "98975"]


def test_a_month_closes_once_and_only_when_it_is_over(clinic, clinic_admin, frozen_clock):
    month_close(clinic=clinic, month=OCTOBER, by=clinic_admin)
    with pytest.raises(Conflict):
        month_close(clinic=clinic, month=OCTOBER, by=clinic_admin)
    with pytest.raises(Conflict):
        month_close(clinic=clinic, month=date(2026, 11, 1), by=clinic_admin)


# --- append-only ---------------------------------------------------------------------------------------------
def test_the_database_refuses_to_change_or_delete_a_time_entry(clinic, physio, frozen_clock):
    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    entry = spent(patient, physio, utc(2026, 10, 6, 9), 15)
    for change in (
        lambda: TimeEntry.objects.filter(pk=entry.pk).update(minutes=50),
        lambda: TimeEntry.objects.filter(pk=entry.pk)._raw_delete(TimeEntry.objects.db),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    assert TimeEntry.objects.get(pk=entry.pk).minutes == 15


# --- set-based ------------------------------------------------------------------------------------------------
def test_the_month_costs_the_same_statements_for_one_patient_or_many(
    clinic, physio, frozen_clock, django_assert_num_queries
):
    for n in range(6):
        patient = rtm_patient(clinic, physio, started_on=OCTOBER, name=f"P{n}")
        log_days(patient, OCTOBER, n * 3)
        if n:
            spent(patient, physio, utc(2026, 10, 6, 9), n * 8, interactive=True)
    # the month's close, the rule sets, the clinic's data-day rule, and the one statement of figures
    with django_assert_num_queries(4):
        rows = clinic_month_rows(clinic=clinic, month=OCTOBER)
    assert len(rows) == 6
    assert [r["codes"] for r in rows][:3] == [[], ["98985", "98975"], ["98985", "98975", "98979"]]


def test_an_erasure_may_blank_a_notes_text_and_nothing_else(clinic, physio, frozen_clock):
    from rehab.billing.services.erasure import time_entry_notes_erase

    patient = rtm_patient(clinic, physio, started_on=OCTOBER)
    entry = TimeEntry.objects.create(
        patient=patient, clinician=physio, activity="call", started_at=utc(2026, 10, 6, 9), minutes=15,
        interactive=True, note="talked about her knee", recorded_at=utc(2026, 10, 6, 9),
    )  # fmt: skip
    assert time_entry_notes_erase(patient=patient) == 1
    entry.refresh_from_db()
    assert (entry.note, entry.minutes) == ("", 15)
    with pytest.raises(DatabaseError), transaction.atomic():
        TimeEntry.objects.filter(pk=entry.pk).update(note="", minutes=40)
