"""One patient's page (/patients/<id>/): header, charts from the stored daily means, timeline, logs, alerts."""

import copy
import json
import re
from datetime import time, timedelta
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import clock
from patients.models import AuditEntry
from protocols.library import checksum_of
from protocols.models import ProtocolVersion
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import Milestone
from rehab.care.services.enrollment import enrollment_start
from rehab.logs.models import PainLog
from rehab.rules.services.reviews import milestone_outcome_record
from tests.factories import PatientFactory, enrolled_patient, protocol_version
from tests.support import logs
from tests.support.clinician_api import START, TODAY

pytestmark = pytest.mark.django_db


def chart_data(answer) -> dict:
    found = re.search(
        r'<script id="patient-chart-data" type="application/json">(.*?)</script>', answer.content.decode(), re.S
    )
    return json.loads(found.group(1))


def stored_daily_means(patient, **contexts) -> dict[str, float]:
    by_day: dict = {}
    for log in PainLog.objects.filter(patient=patient, **contexts):
        by_day.setdefault(log.local_date.isoformat(), []).append(log.score)
    return {day: float(Fraction(sum(scores), len(scores))) for day, scores in by_day.items()}


def not_improving(clinic, physio, *, version: ProtocolVersion | None = None, name: str = "Tom"):
    """Day 49 of conservative care, pain 7 over the baseline week and about 6 since: the review is open."""
    patient = PatientFactory(clinic=clinic, display_name=name, assigned_physio=physio)
    enrollment_start(
        patient=patient, protocol_version=version or protocol_version("conservative-calcific-iat"), start_date=START
    )
    for day in range(49):
        on = START + timedelta(days=day)
        morning = clock.local_instant(on, time(7, 30), patient.timezone)
        logs.pain(patient, 7 if day < 7 else 6 + day % 2, morning, "morning", check=False)
        if day % 3 == 0:
            logs.pain(patient, 4, morning + timedelta(hours=10), "activity", check=False)
        if day % 2 == 0:
            logs.exercise(patient, morning + timedelta(hours=2))
    logs.visa_a(patient, 40, clock.local_instant(START + timedelta(days=2), time(20), patient.timezone))
    logs.visa_a(patient, 44, clock.local_instant(START + timedelta(days=45), time(20), patient.timezone))
    return patient


def test_without_a_session_the_page_sends_to_the_sign_in(anonymous_web, ruth):
    answer = anonymous_web.get(f"/patients/{ruth.pk}/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/sign-in/?next=%2Fpatients%2F{ruth.pk}%2F"


def test_another_clinics_patient_is_a_404_as_is_an_id_nobody_has(alice_web, ruth):
    elsewhere = enrolled_patient(start=START, display_name="Elsewhere")
    assert alice_web.get(f"/patients/{elsewhere.pk}/").status_code == 404
    assert alice_web.get(f"/patients/{elsewhere.pk + 1000}/").status_code == 404
    assert not AuditEntry.objects.filter(patient=elsewhere).exists()


def test_reading_the_page_leaves_the_apis_audit_entry(alice_web, ruth, physio):
    alice_web.get(f"/patients/{ruth.pk}/")
    entry = AuditEntry.objects.get(actor=physio)
    assert (entry.patient_id, entry.action, entry.resource, entry.clinic_id) == (
        ruth.pk,
        "read",
        f"/patients/{ruth.pk}/",
        ruth.clinic_id,
    )


def test_the_header_says_protocol_day_phase_and_todays_boot_and_heel_lift(alice_web, clinic, physio):
    priya = enrolled_patient(
        "post-surgical-calcific-iat", start=TODAY - timedelta(days=20), clinic=clinic, display_name="Priya"
    )
    page = alice_web.get(f"/patients/{priya.pk}/").content.decode()
    assert re.search(r'data-testid="patient-protocol">[^<]*\(version 1\)', page)
    assert 'data-testid="patient-day">20<' in page
    assert 'data-testid="patient-phase">Walking boot with a 4 cm heel lift<' in page
    assert 'data-testid="patient-heel-lift">4.0 cm<' in page
    assert 'data-testid="patient-boot">Yes<' in page
    assert 'data-testid="patient-next-milestone">Boot removal, 2026-04-15 to 2026-04-15<' in page


def test_the_pain_chart_is_each_stored_days_mean_and_a_line_per_context(alice_web, clinic, physio):
    tom = not_improving(clinic, physio)
    data = chart_data(alice_web.get(f"/patients/{tom.pk}/"))
    assert {p["date"]: p["mean"] for p in data["pain"]["daily_mean"]} == stored_daily_means(tom)
    assert set(data["pain"]["by_context"]) == {"morning", "activity"}
    for context, series in data["pain"]["by_context"].items():
        assert {p["date"]: p["mean"] for p in series} == stored_daily_means(tom, context=context)
    assert [p["code"] for p in data["phases"]] == ["conservative-trial", "continued-care"]
    assert data["phases"][0] == {
        "code": "conservative-trial",
        "name": "Conservative trial (6-8 weeks)",
        "start": "2026-01-20",
        "end": "2026-03-16",
    }
    review = next(m for m in data["milestones"] if m["code"] == "review-6-8-weeks")
    assert (review["window_start"], review["window_end"], review["status"]) == ("2026-03-03", "2026-03-17", "pending")
    assert data["range"] == {"start": "2026-01-20", "end": "2026-03-17"}  # on to the end of the review ahead


def test_the_baseline_and_the_improvement_line_are_the_reviews_own_numbers(alice_web, clinic, physio):
    tom = not_improving(clinic, physio)
    data = chart_data(alice_web.get(f"/patients/{tom.pk}/"))
    week = stored_daily_means(tom, local_date__lte=START + timedelta(days=6))
    baseline = sum(Fraction(v).limit_denominator(1000) for v in week.values()) / len(week)
    assert data["pain"]["baseline"] == pytest.approx(float(baseline))
    assert data["pain"]["improvement_threshold"] == pytest.approx(min(float(baseline) - 2, 0.7 * float(baseline)))
    assert data["visa_a"] == {
        "scores": [{"date": "2026-01-22", "score": 40}, {"date": "2026-03-06", "score": 44}],
        "baseline": 40,
        "improvement_target": 47,
    }


def test_the_improvement_line_comes_from_the_patients_protocol_version(alice_web, clinic, physio):
    v1 = protocol_version("conservative-calcific-iat")
    document = copy.deepcopy(v1.document)
    document["version"] = 2
    document["rules"].update(pain_improvement_points=1, pain_improvement_fraction=0.5, visa_a_improvement_points=10)
    v2 = ProtocolVersion.objects.create(
        protocol=v1.protocol, version=2, document=document, checksum=checksum_of(document)
    )
    on_v1, on_v2 = (
        not_improving(clinic, physio, version=v1, name="On v1"),
        not_improving(clinic, physio, version=v2, name="On v2"),
    )
    first, second = (chart_data(alice_web.get(f"/patients/{p.pk}/")) for p in (on_v1, on_v2))
    baseline = first["pain"]["baseline"]
    assert second["pain"]["baseline"] == baseline  # the same logs
    assert first["pain"]["improvement_threshold"] == pytest.approx(min(baseline - 2, 0.7 * baseline))
    assert second["pain"]["improvement_threshold"] == pytest.approx(min(baseline - 1, 0.5 * baseline))
    assert second["pain"]["improvement_rule"] == {"points": 1.0, "fraction": 0.5}
    assert (first["visa_a"]["improvement_target"], second["visa_a"]["improvement_target"]) == (47, 50)
    assert second["protocol"] == {"code": "conservative-calcific-iat", "version": 2}


def test_weekly_adherence_counts_each_weeks_sessions_against_the_plan(alice_web, clinic, physio):
    tom = not_improving(clinic, physio)
    weeks = chart_data(alice_web.get(f"/patients/{tom.pk}/"))["adherence_weekly"]
    assert [w["week"] for w in weeks] == list(range(1, 8))  # days 0-48: seven weeks
    assert (weeks[0]["start"], weeks[0]["end"]) == ("2026-01-20", "2026-01-26")
    assert weeks[-1]["end"] == "2026-03-09"  # up to yesterday
    assert all(0 < w["adherence"] < 1 for w in weeks)  # one session every other day of several a day


def test_the_charts_have_accessible_names_and_test_ids(alice_web, ruth):
    page = alice_web.get(f"/patients/{ruth.pk}/").content.decode()
    for testid, name in (
        ("pain-chart", "Daily pain chart"),
        ("visa-a-chart", "VISA-A chart"),
        ("adherence-chart", "Weekly adherence chart"),
    ):
        assert re.search(rf'<canvas id="[^"]+" data-testid="{testid}" role="img" aria-label="{name}"', page)
    assert "/static/dashboard/vendor/chart.js/chart.umd.min.js" in page
    assert "/static/dashboard/charts.js" in page


def test_the_timeline_dates_phases_and_milestones_with_status_and_who_decided(alice_web, clinic, physio):
    tom = not_improving(clinic, physio)
    review = Milestone.objects.get(enrollment__patient=tom, code="review-6-8-weeks")
    milestone_outcome_record(milestone=review, outcome="not_met", by=physio)
    page = alice_web.get(f"/patients/{tom.pk}/").content.decode()
    timeline = page[page.index('data-testid="patient-timeline"') :]
    assert "Phase: Conservative trial (6-8 weeks)</th>\n        <td>2026-01-20 to 2026-03-16</td>" in timeline
    row = timeline[timeline.index('data-code="review-6-8-weeks"') :]
    row = row[: row.index("</tr>")]
    assert "2026-03-03 to 2026-03-17" in row
    assert "Not Met" in row
    assert "2026-03-10 12:00 UTC by Alice" in row


def test_the_patients_alerts_and_recent_logs_are_on_the_page(alice_web, clinic, physio):
    tom = not_improving(clinic, physio)
    review = Milestone.objects.get(enrollment__patient=tom, code="review-6-8-weeks")
    milestone_outcome_record(milestone=review, outcome="not_met", by=physio)
    page = alice_web.get(f"/patients/{tom.pk}/").content.decode()
    alerts = page[page.index('data-testid="patient-alerts"') :]
    assert "Review 6 8 weeks: not improved. Refer to" in alerts or "Review at 6-8 weeks: not improved" in alerts
    assert 'data-testid="acknowledge"' in alerts
    recent = page[page.index('data-testid="patient-logs"') :]
    assert "6/10, morning" in recent or "7/10, morning" in recent
    assert "VISA-A 44" in recent
    assert 'data-testid="logs-symptom_reports"' in recent and "None yet." in recent


def test_queries_do_not_grow_with_the_length_of_the_enrolment(alice_web, clinic, physio):
    short = enrolled_patient(start=TODAY - timedelta(days=8), clinic=clinic, display_name="Short")
    long = enrolled_patient(start=TODAY - timedelta(days=80), clinic=clinic, display_name="Long")
    for patient, days in ((short, 8), (long, 80)):
        for n in range(1, days):
            logs.pain(patient, 4, clock.now() - timedelta(days=n), "morning", check=False)
        alert_raise(patient=patient, code="no_recent_logs", reason="Nothing logged.", evidence={})

    def queries(patient) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_web.get(f"/patients/{patient.pk}/").status_code == 200
        return len(captured)

    assert queries(short) == queries(long)


def test_instants_in_the_clinics_zone_and_patient_dates_in_the_patients(alice_web, clinic, physio):
    clinic.time_zone = "America/New_York"
    clinic.save()
    tom = not_improving(clinic, physio)
    review = Milestone.objects.get(enrollment__patient=tom, code="review-6-8-weeks")
    milestone_outcome_record(milestone=review, outcome="not_met", by=physio)
    page = alice_web.get(f"/patients/{tom.pk}/").content.decode()
    assert "2026-03-10 08:00 EDT by Alice" in page  # 12:00 UTC; New York is on summer time from 8 March
    assert "Dates are the patient's own days (Europe/London); times are in America/New_York." in page
