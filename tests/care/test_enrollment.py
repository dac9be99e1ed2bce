"""Enrolment: dated milestones, moving between protocols, and which enrolment is current."""

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from protocols.library import definition_files, protocol_library_sync, read_definition
from protocols.models import ProtocolVersion
from protocols.timeline import plan_for_day
from rehab.care.models import Enrollment, Milestone
from rehab.care.selectors.enrollment import enrollment_current
from rehab.care.services.enrollment import EnrollmentOverlap, enrollment_start
from tests.factories import PatientFactory, enrolled_patient, protocol_version

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # 2026-03-20 in London

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW), pytest.mark.usefixtures("frozen_clock")]


def statuses(enrollment: Enrollment) -> dict[str, str]:
    return dict(enrollment.milestones.values_list("code", "status"))


def test_enrolling_dates_every_milestone_of_the_protocol_from_the_start():
    start = date(2026, 3, 18)
    patient = enrolled_patient("conservative-calcific-iat", start=start)
    windows = list(
        Milestone.objects.filter(enrollment__patient=patient).values_list("code", "window_start", "window_end")
    )
    assert windows == [
        ("baseline", start, start + timedelta(days=6)),
        ("review-6-8-weeks", start + timedelta(days=42), start + timedelta(days=56)),
        ("check-3-months", start + timedelta(days=83), start + timedelta(days=97)),
        ("check-6-months", start + timedelta(days=166), start + timedelta(days=194)),
    ]
    assert set(statuses(patient.enrollments.get()).values()) == {"pending"}


def test_a_review_falls_due_at_local_midnight_after_its_window_plus_the_grace_period():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 3, 18), timezone="Australia/Sydney")
    review = Milestone.objects.get(enrollment__patient=patient, code="review-6-8-weeks")
    # Window ends 2026-05-13; Sydney is UTC+10 in May: midnight is 14:00 UTC the day before, plus 24 h.
    assert review.due_at == datetime(2026, 5, 14, 14, 0, tzinfo=UTC)
    baseline = Milestone.objects.get(enrollment__patient=patient, code="baseline")
    assert baseline.due_at == datetime(2026, 3, 24, 13, 0, tzinfo=UTC)  # no grace: nothing is judged


def test_milestones_whose_window_closed_before_today_are_skipped_never_judged():
    # Day 60 today: the baseline (0-6) and the review (42-56) are over.
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 3, 20) - timedelta(days=60))
    assert statuses(patient.enrollments.get()) == {
        "baseline": "skipped",
        "review-6-8-weeks": "skipped",
        "check-3-months": "pending",
        "check-6-months": "pending",
    }


def test_a_window_that_ends_today_is_still_open():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 3, 20) - timedelta(days=56))
    assert statuses(patient.enrollments.get())["review-6-8-weeks"] == "pending"


def test_moving_to_another_protocol_ends_the_old_enrolment_the_day_before_the_new_start():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 1, 5))
    old = patient.enrollments.get()
    surgery = date(2026, 3, 25)
    new = enrollment_start(
        patient=patient,
        protocol_version=protocol_version("post-surgical-calcific-iat"),
        start_date=surgery,
        reason="surgery after failed conservative care",
    )
    old.refresh_from_db()
    assert old.end_date == date(2026, 3, 24)
    assert old.end_reason == "surgery after failed conservative care"
    assert new.end_date is None
    assert new.start_date == surgery
    assert Enrollment.objects.filter(patient=patient).count() == 2  # history kept


def test_moving_cancels_the_old_enrolments_undecided_milestones_and_keeps_decided_ones():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 1, 5))
    old = patient.enrollments.get()
    Milestone.objects.filter(enrollment=old, code="review-6-8-weeks").update(status=Milestone.Status.NOT_MET)
    enrollment_start(
        patient=patient, protocol_version=protocol_version("post-surgical-calcific-iat"), start_date=date(2026, 3, 25)
    )
    assert statuses(old) == {
        "baseline": "skipped",  # closed before the enrolment was made (day 74 today)
        "review-6-8-weeks": "not_met",
        "check-3-months": "cancelled",
        "check-6-months": "cancelled",
    }
    assert Milestone.objects.get(enrollment=old, code="check-3-months").decided_at == NOW


def test_a_move_planned_ahead_keeps_the_milestones_the_old_enrolment_still_covers():
    # Day 30 of conservative care today; surgery planned for day 70. The 6-8 week
    # review (days 42-56) falls before the surgery and must still be judged.
    start = date(2026, 3, 20) - timedelta(days=30)
    patient = enrolled_patient("conservative-calcific-iat", start=start)
    old = patient.enrollments.get()
    enrollment_start(
        patient=patient,
        protocol_version=protocol_version("post-surgical-calcific-iat"),
        start_date=start + timedelta(days=70),
    )
    assert statuses(old) == {
        "baseline": "skipped",
        "review-6-8-weeks": "pending",
        "check-3-months": "cancelled",  # window 83-97: after the surgery
        "check-6-months": "cancelled",
    }


def test_a_move_dated_in_the_past_ends_the_old_enrolment_then_and_skips_closed_windows_of_the_new():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 1, 5))
    old = patient.enrollments.get()
    surgery = date(2026, 3, 20) - timedelta(days=10)  # surgery 10 days ago, recorded today
    new = enrollment_start(
        patient=patient, protocol_version=protocol_version("post-surgical-calcific-iat"), start_date=surgery
    )
    old.refresh_from_db()
    assert old.end_date == surgery - timedelta(days=1)
    assert statuses(new) == {
        "end-immobilisation": "skipped",  # day 7 is over
        "boot-removal": "pending",
        "elastic-wedge": "pending",
        "post-boot-baseline": "pending",
        "review-12-weeks": "pending",
    }


def test_a_new_enrolment_cannot_start_on_or_before_the_current_ones_start():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 3, 1))
    for start in (date(2026, 3, 1), date(2026, 2, 1)):
        with pytest.raises(EnrollmentOverlap):
            enrollment_start(
                patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=start
            )
    assert patient.enrollments.count() == 1


def test_the_current_enrolment_is_the_one_whose_dates_cover_the_day():
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 1, 5))
    old = patient.enrollments.get()
    new = enrollment_start(
        patient=patient, protocol_version=protocol_version("post-surgical-calcific-iat"), start_date=date(2026, 3, 25)
    )
    assert enrollment_current(patient) == old  # today is 2026-03-20
    assert enrollment_current(patient, on=date(2026, 3, 24)) == old
    assert enrollment_current(patient, on=date(2026, 3, 25)) == new
    assert enrollment_current(patient, on=date(2027, 1, 1)) == new
    assert enrollment_current(patient, on=date(2026, 1, 4)) is None


def test_a_patient_never_enrolled_has_no_current_enrolment():
    assert enrollment_current(PatientFactory()) is None


def test_publishing_a_new_version_leaves_enrolled_patients_on_their_timeline(tmp_path):
    patient = enrolled_patient("conservative-calcific-iat", start=date(2026, 3, 18))
    path = next(p for p in definition_files() if p.name.startswith("conservative-calcific-iat"))
    data = read_definition(path)
    data["version"] = 2
    data["milestones"][1]["window"] = [35, 49]
    new_file = tmp_path / "conservative-calcific-iat.v2.yaml"
    new_file.write_text(yaml.safe_dump(data))
    protocol_library_sync(paths=[new_file])

    enrollment = patient.enrollments.get()
    assert enrollment.protocol_version.version == 1
    review = Milestone.objects.get(enrollment=enrollment, code="review-6-8-weeks")
    assert review.window_start == date(2026, 3, 18) + timedelta(days=42)
    definition = ProtocolVersion.objects.get(pk=enrollment.protocol_version_id).definition
    upcoming = plan_for_day(definition, enrollment.start_date, date(2026, 4, 25))["next_milestone"]
    assert upcoming["window_start"] == "2026-04-29"  # day 42 of v1, not day 35 of v2
    assert protocol_version("conservative-calcific-iat").version == 2
