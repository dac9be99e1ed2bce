"""The cohort simulator end to end: a small cohort through the real services and jobs."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    """One 50-patient, 70-day run shared by the assertions (it takes a while), rolled back afterwards."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("simulate_cohort", patients=50, days=70, seed=11, stdout=out, stderr=StringIO())
        yield json.loads(out.getvalue())
        transaction.set_rollback(True)


def test_every_truly_non_improving_patient_is_referred_exactly_once(report):
    assert report["judged_reviews_due"]["not_improving"] > 0
    referrals = report["referrals"]
    assert referrals["not_improving_referred_once"] == report["judged_reviews_due"]["not_improving"]
    assert referrals["not_improving_missed"] == 0
    assert referrals["referred_more_than_once"] == 0


def test_no_improving_or_silent_patient_is_referred_and_silent_ones_are_flagged(report):
    assert report["judged_reviews_due"]["improving"] > 0
    assert report["referrals"]["improving_wrongly_referred"] == 0
    assert report["referrals"]["silent_wrongly_referred"] == 0
    assert report["referrals"]["silent_not_flagged"] == 0
    assert report["alerts_by_code"].get("no_recent_logs", 0) > 0


def test_no_alert_or_reminder_is_duplicated(report):
    assert report["duplicates"] == {
        "alerts_per_milestone_and_code": 0,
        "open_alerts_per_patient_and_code": 0,
        "reminders_per_slot": 0,
    }


def test_every_simulated_entry_is_accepted_by_the_api_s_serializers_and_service(report):
    assert report["run"]["logs_refused"] == {}
    assert report["run"]["logs_written"]["pain_logs"] > 50 * 30
    assert report["alerts_by_kind"].get("red_flag", 0) > 0


def test_simulate_cohort_refuses_an_empty_cohort():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("simulate_cohort", patients=0, days=10)


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_reach_the_verdicts_of_one_process_and_duplicate_nothing():
    """--workers forks writers that need committed data, hence a transactional test (its own small cohort)."""

    def run(workers: int) -> dict:
        out = StringIO()
        call_command(
            "simulate_cohort",
            patients=20,
            days=50,
            seed=5,
            tick_hours=3,
            workers=workers,
            stdout=out,
            stderr=StringIO(),
        )
        return json.loads(out.getvalue())

    parallel = run(2)
    assert parallel["judged_reviews_due"]["not_improving"] > 0
    assert parallel["referrals"]["not_improving_missed"] == 0
    assert parallel["referrals"]["improving_wrongly_referred"] == 0
    assert set(parallel["duplicates"].values()) == {0}
    assert parallel["run"]["logs_refused"] == {}
    alone = run(1)  # the same cohort again (new clinics, same seed): the same story
    for section in ("judged_reviews_due", "referrals", "alerts_by_code"):
        assert parallel[section] == alone[section], section
