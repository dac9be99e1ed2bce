from datetime import date

from protocols.definition import definition_from_dict
from protocols.library import definition_files, read_definition
from rehab.devtools.simulation.trajectory import Course, cohort_plan, entries_for_day, expected_pain, visa_a_answers
from rehab.logs.visa_a import visa_a_score

SPECS = {d["code"]: definition_from_dict(d) for d in map(read_definition, definition_files())}
CARE = {code: definition.care for code, definition in SPECS.items()}


def test_every_visa_a_score_has_valid_answers_that_add_up_to_it():
    for score in range(101):
        assert visa_a_score(visa_a_answers(score)) == score


def test_a_cohort_is_the_same_for_the_same_seed_and_mixes_courses_protocols_and_zones():
    one = cohort_plan(patients=400, days=120, seed=7, care_of=CARE)
    assert one == cohort_plan(patients=400, days=120, seed=7, care_of=CARE)
    assert one != cohort_plan(patients=400, days=120, seed=8, care_of=CARE)
    assert {p.course for p in one} == set(Course)
    assert {p.protocol_code for p in one} == set(SPECS)
    assert {"Australia/Sydney", "America/Los_Angeles", "Europe/London", "Asia/Kolkata"} <= {p.timezone for p in one}
    assert any(p.red_flag_day is not None for p in one)


def test_improving_pain_falls_by_far_more_than_the_referral_threshold_and_non_improving_stays_flat():
    for p in cohort_plan(patients=200, days=120, seed=1, care_of=CARE):
        review_day = 53 if p.care == "conservative" else 88
        baseline = expected_pain(p, 3 if p.care == "conservative" else 59)
        drop = baseline - expected_pain(p, review_day)
        if p.course is Course.NOT_IMPROVING:
            assert drop == 0
        else:
            assert drop >= 3 and drop >= 0.45 * baseline


def test_a_silent_patient_sends_nothing_after_going_silent():
    silent = next(p for p in cohort_plan(patients=200, days=120, seed=3, care_of=CARE) if p.course is Course.SILENT)
    definition = SPECS[silent.protocol_code]
    kinds = {
        e.kind
        for day in range(silent.silent_from_day, silent.silent_from_day + 40)
        for e in entries_for_day(silent, definition, date(2026, 2, 2), day)
    }
    assert kinds <= {"symptom_reports", "medication_logs"}
    assert any(entries_for_day(silent, definition, date(2026, 2, 2), d) for d in range(silent.silent_from_day))


def test_beat_tasks_run_in_the_ticks_where_their_crontab_falls_due():
    from datetime import UTC, datetime, timedelta

    from celery.schedules import crontab

    from rehab.devtools.simulation.jobs import _first_due

    six_hourly = crontab(minute=30, hour="*/6")
    start = datetime(2026, 3, 1, 5, tzinfo=UTC)
    assert _first_due(six_hourly, start, start + timedelta(hours=1)) is None
    assert _first_due(six_hourly, start + timedelta(hours=1), start + timedelta(hours=2)) == datetime(
        2026, 3, 1, 6, 30, tzinfo=UTC
    )
    assert _first_due(crontab(minute="*/5"), start, start + timedelta(hours=1)) == start
