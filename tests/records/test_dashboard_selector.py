"""The dashboard's aggregates, computed in SQL and batch loads, checked value by value."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from config import clock
from rehab.alerts.models import Alert
from rehab.logs.models import ExerciseLog, PainLog, VisaAResponse
from rehab.records.selectors.dashboard import DashboardQuery, PatientDashboard
from tests.factories import enrolled_patient

pytestmark = pytest.mark.usefixtures("frozen_clock")
TODAY = date(2026, 3, 10)


def pain(patient, on: date, score: int, *, hour: int = 9, context: str = "rest"):
    at = datetime(on.year, on.month, on.day, hour, tzinfo=UTC)
    return PainLog.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        local_date=on,
        received_at=at,
        recorded_at=at,
        score=score,
        context=context,
    )


def exercise(patient, on: date, *, completed: bool = True, code: str = "calf-stretch"):
    at = datetime(on.year, on.month, on.day, 10, tzinfo=UTC)
    return ExerciseLog.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        local_date=on,
        received_at=at,
        performed_at=at,
        exercise=code,
        sets=3,
        reps=15,
        completed=completed,
    )


def visa(patient, on: date, score: int):
    at = datetime(on.year, on.month, on.day, 11, tzinfo=UTC)
    return VisaAResponse.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        local_date=on,
        received_at=at,
        completed_at=at,
        q1=0,
        q2=0,
        q3=0,
        q4=0,
        q5=0,
        q6=0,
        q7=0,
        q8_branch="A",
        q8=0,
        score=score,
    )


def rows(clinic, **query):
    dashboard = PatientDashboard(clinic_id=clinic.pk, query=DashboardQuery(**query))
    return dashboard.rows(dashboard.patients)


def test_a_patient_with_no_logs_has_empty_aggregates(clinic):
    patient = enrolled_patient(start=TODAY - timedelta(days=10), clinic=clinic)
    [row] = rows(clinic)
    assert row["id"] == patient.pk
    assert row["protocol"] == "conservative-calcific-iat"
    assert row["day"] == 10 and row["phase"] == "conservative-trial"
    assert row["latest_pain"] is None and row["pain_7d_mean"] is None and row["baseline_pain"] is None
    assert row["last_log_at"] is None and row["open_alerts"] == 0
    assert row["visa_a_latest"] is None and row["visa_a_baseline"] is None
    assert row["next_milestone"]["code"] == "review-6-8-weeks"


def test_pain_7d_mean_is_the_mean_of_daily_means_over_the_seven_local_days_ending_today(clinic):
    patient = enrolled_patient(start=TODAY - timedelta(days=20), clinic=clinic)
    pain(patient, TODAY - timedelta(days=7), 10)  # eight days ago: outside the window
    pain(patient, TODAY - timedelta(days=6), 4)
    pain(patient, TODAY - timedelta(days=6), 6, hour=15)  # that day's mean is 5
    pain(patient, TODAY, 2)
    [row] = rows(clinic)
    assert row["pain_7d_mean"] == 3.5
    assert row["latest_pain"] == {"score": 2, "recorded_at": datetime(2026, 3, 10, 9, tzinfo=UTC)}
    assert row["last_log_at"] == datetime(2026, 3, 10, 9, tzinfo=UTC)


def test_baselines_come_from_the_baseline_window_of_the_current_enrolment(clinic):
    start = TODAY - timedelta(days=30)
    patient = enrolled_patient(start=start, clinic=clinic)
    for offset, score in ((0, 6), (1, 7), (3, 8)):
        pain(patient, start + timedelta(days=offset), score)
    visa(patient, start + timedelta(days=2), 51)
    visa(patient, start + timedelta(days=20), 64)
    [row] = rows(clinic)
    assert row["baseline_pain"] == 7.0
    assert row["visa_a_baseline"] == 51
    assert row["visa_a_latest"] == 64


def test_adherence_is_completed_sessions_over_prescribed_sessions_of_the_last_seven_complete_days(clinic):
    # The conservative plan prescribes 2 + 2 + 2 + 1 = 7 sessions a day; this patient does calf
    # stretches once a day instead of twice, so 6 a day, 42 over the week.
    patient = enrolled_patient(
        start=TODAY - timedelta(days=30),
        clinic=clinic,
        exercise_overrides=[{"exercise": "calf-stretch", "sets": 3, "reps": 1, "times_per_day": 1}],
    )
    for offset in range(1, 8):
        for _ in range(3):
            exercise(patient, TODAY - timedelta(days=offset))
    exercise(patient, TODAY - timedelta(days=1), completed=False)
    exercise(patient, TODAY)  # today is not a complete day yet
    exercise(patient, TODAY - timedelta(days=8))  # before the window
    [row] = rows(clinic)
    assert row["adherence_7d"] == 0.5


def test_adherence_counts_each_day_against_the_enrolment_that_covered_it(clinic):
    from rehab.care.services.enrollment import enrollment_start
    from tests.factories import protocol_version

    patient = enrolled_patient(start=TODAY - timedelta(days=60), clinic=clinic)
    # Surgery three days ago: days -3..-1 are post-surgical immobilisation (2 sessions a day),
    # days -7..-4 still the conservative plan (7 a day): 6 + 28 = 34 prescribed.
    enrollment_start(
        patient=patient,
        protocol_version=protocol_version("post-surgical-calcific-iat"),
        start_date=TODAY - timedelta(days=3),
    )
    for offset in range(1, 8):
        exercise(patient, TODAY - timedelta(days=offset))
    [row] = rows(clinic)
    assert row["adherence_7d"] == round(7 / 34, 3)
    assert row["protocol"] == "post-surgical-calcific-iat"
    assert row["phase"] == "immobilisation" and row["day"] == 3


def test_adherence_is_capped_at_one_and_null_before_anything_was_prescribed(clinic):
    busy = enrolled_patient(start=TODAY - timedelta(days=30), clinic=clinic, display_name="Busy")
    for offset in range(1, 8):
        for _ in range(9):
            exercise(busy, TODAY - timedelta(days=offset))
    enrolled_patient(start=TODAY, clinic=clinic, display_name="New")
    by_name = {r["display_name"]: r for r in rows(clinic)}
    assert by_name["Busy"]["adherence_7d"] == 1.0
    assert by_name["New"]["adherence_7d"] is None


def test_today_is_the_patients_own_local_date(clinic):
    # At 12:00 UTC it is already the 11th in Auckland.
    patient = enrolled_patient(start=TODAY - timedelta(days=5), clinic=clinic, timezone="Pacific/Auckland")
    PainLog.objects.create(
        patient=patient,
        client_id=uuid.uuid4(),
        local_date=TODAY + timedelta(days=1),
        received_at=clock.now(),
        recorded_at=clock.now(),
        score=3,
    )
    [row] = rows(clinic)
    assert row["day"] == 6
    assert row["pain_7d_mean"] == 3.0


def test_open_alerts_counts_only_open_ones(clinic, physio):
    from rehab.alerts.services.alerts import alert_acknowledge, alert_raise

    patient = enrolled_patient(start=TODAY - timedelta(days=5), clinic=clinic)
    alert_raise(patient=patient, code="exercise_pain_high", reason="r", evidence={})
    seen, _ = alert_raise(patient=patient, code="no_recent_logs", reason="r", evidence={})
    alert_acknowledge(alert=seen, by=physio)
    [row] = rows(clinic)
    assert row["open_alerts"] == 1
    assert [r["id"] for r in rows(clinic, has_open_alerts=True)] == [patient.pk]
    assert rows(clinic, has_open_alerts=False) == []
    assert Alert.objects.count() == 2


def test_filters_by_phase_status_and_search(clinic):
    early = enrolled_patient(start=TODAY - timedelta(days=10), clinic=clinic, display_name="Early Bird")
    late = enrolled_patient(start=TODAY - timedelta(days=70), clinic=clinic, display_name="Late Comer")
    surgical = enrolled_patient("post-surgical-calcific-iat", start=TODAY - timedelta(days=10), clinic=clinic)
    late.status = "discharged"
    late.save()
    assert [r["id"] for r in rows(clinic, phase="conservative-trial")] == [early.pk]
    assert [r["id"] for r in rows(clinic, phase="continued-care")] == [late.pk]
    assert [r["id"] for r in rows(clinic, phase="boot-heel-lift")] == [surgical.pk]
    assert rows(clinic, phase="no-such-phase") == []
    assert {r["id"] for r in rows(clinic, status="active")} == {early.pk, surgical.pk}
    assert [r["id"] for r in rows(clinic, search="bird")] == [early.pk]


def test_orders_by_each_aggregate_with_empty_values_last(clinic):
    a = enrolled_patient(start=TODAY - timedelta(days=30), clinic=clinic, display_name="A")
    b = enrolled_patient(start=TODAY - timedelta(days=20), clinic=clinic, display_name="B")
    c = enrolled_patient(start=TODAY - timedelta(days=10), clinic=clinic, display_name="C")
    pain(a, TODAY, 2)
    pain(b, TODAY, 8)
    exercise(a, TODAY - timedelta(days=1))
    for _ in range(5):
        exercise(c, TODAY - timedelta(days=1))

    def order(ordering):
        return [r["display_name"] for r in rows(clinic, ordering=ordering)]

    assert order("pain_7d_mean") == ["A", "B", "C"]
    assert order("-pain_7d_mean") == ["B", "A", "C"]
    assert order("day") == ["C", "B", "A"]
    assert order("-day") == ["A", "B", "C"]
    assert order("adherence_7d") == ["B", "A", "C"]
    assert order("-adherence_7d") == ["C", "A", "B"]
    assert order("last_log_at") == ["C", "A", "B"]  # A and B last logged at the same instant: by name
    assert order("-display_name") == ["C", "B", "A"]


def test_a_patient_added_in_a_new_zone_while_the_dashboard_is_read_still_gets_a_row(clinic):
    enrolled_patient(start=TODAY - timedelta(days=10), clinic=clinic, display_name="A")
    dashboard = PatientDashboard(clinic_id=clinic.pk, query=DashboardQuery(ordering="adherence_7d"))
    enrolled_patient(start=TODAY - timedelta(days=10), clinic=clinic, display_name="B", timezone="Asia/Tokyo")
    by_name = {r["display_name"]: r for r in dashboard.rows(dashboard.patients)}
    assert set(by_name) == {"A", "B"}
    assert by_name["B"]["adherence_7d"] == 0.0
