"""The patients page (/): the API's dashboard rows for the physio's own patients, ordered by need."""

import re
from datetime import timedelta
from fractions import Fraction
from html import escape, unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import clock
from patients.models import AuditEntry, Patient
from rehab.alerts.services.alerts import alert_raise
from rehab.logs.models import PainLog
from tests.factories import PhysioFactory, enrolled_patient
from tests.support import logs
from tests.support.clinician_api import START, TODAY

pytestmark = pytest.mark.django_db


def names(answer) -> list[str]:
    """The patients in the table, in its order."""
    found = re.findall(r'<th scope="row"><a href="/patients/\d+/">([^<]+)</a>', answer.content.decode())
    return [unescape(name) for name in found]


def ours(clinic, physio, name: str, *, day: int, **fields) -> Patient:
    return enrolled_patient(
        start=TODAY - timedelta(days=day), clinic=clinic, display_name=name, assigned_physio=physio, **fields
    )


def test_without_a_session_the_page_sends_to_the_sign_in(anonymous_web):
    answer = anonymous_web.get("/?scope=all")
    assert answer.status_code == 302
    assert answer["Location"] == "/sign-in/?next=%2F%3Fscope%3Dall"


def test_the_page_lists_my_patients_with_the_api_rows_values(alice_web, ruth):
    answer = alice_web.get("/")
    assert answer.status_code == 200
    assert names(answer) == ["Ruth"]
    page = answer.content.decode()
    assert 'data-testid="open-alert-count"' in page  # the top bar's count, from the context processor
    row = page[page.index('data-testid="patient-row"') :]
    # Day 49 of conservative care, in the trial phase, the review open (its window in the row).
    assert "<td>49</td>" in row
    assert "<td>Conservative trial (6-8 weeks)</td>" in row
    assert "2026-03-03 to 2026-03-17" in row


def test_the_next_milestone_is_named_as_the_patients_protocol_version_names_it(alice_web, ruth):
    enrollment = ruth.enrollments.select_related("protocol_version").get()
    review = enrollment.protocol_version.definition.milestone("review-6-8-weeks")
    page = alice_web.get("/").content.decode()
    row = page[page.index('data-testid="patient-row"') :]
    assert f"<td>{escape(review.name)}<br>" in row  # "Review at 6-8 weeks", not its code in words
    assert "review 6 8 weeks" not in row


def test_my_patients_by_default_and_all_in_clinic_a_click_away(alice_web, ruth, clinic):
    colleague = PhysioFactory(clinic=clinic, username="dora")
    ours(clinic, colleague, "Dora's patient", day=10)
    ours(clinic, None, "Nobody's patient", day=10)
    enrolled_patient(start=START, display_name="Elsewhere")  # another clinic
    assert names(alice_web.get("/")) == ["Ruth"]
    everyone = alice_web.get("/?scope=all")
    assert sorted(names(everyone)) == ["Dora's patient", "Nobody's patient", "Ruth"]
    assert 'href="?scope=all" data-testid="scope-all" aria-current="page"' in everyone.content.decode()


def test_the_filters_show_what_was_asked_for(alice_web, ruth):
    page = alice_web.get("/?status=active&phase=conservative-trial").content.decode()
    assert '<option value="active" selected>' in page
    assert '<option value="conservative-trial" selected>' in page
    assert '<option value="discharged" selected>' not in page


def test_discharged_patients_are_hidden_unless_asked_for(alice_web, clinic, physio):
    ours(clinic, physio, "Active", day=10)
    ours(clinic, physio, "Gone", day=10, status=Patient.Status.DISCHARGED)
    assert names(alice_web.get("/")) == ["Active"]
    assert names(alice_web.get("/?discharged=true")) == ["Active", "Gone"]
    assert names(alice_web.get("/?status=discharged")) == ["Gone"]


def test_ordered_by_need_urgent_alerts_then_routine_then_reviews_due_this_week(alice_web, clinic, physio):
    rest = ours(clinic, physio, "Abe", day=10)  # the review is 32 days away
    review_soon = ours(clinic, physio, "Bea", day=37)  # the review window opens in 5 days
    routine = ours(clinic, physio, "Cal", day=10)
    urgent = ours(clinic, physio, "Dee", day=10)
    alert_raise(patient=routine, code="no_recent_logs", reason="Nothing logged.", evidence={})
    alert_raise(patient=urgent, code="red_flag_same_day", reason="Calf pain.", evidence={})
    answer = alice_web.get("/")
    assert names(answer) == ["Dee", "Cal", "Bea", "Abe"]
    page = answer.content.decode()
    assert page.index("Urgent alert") < page.index(">Alert<") < page.index("Review due")
    # A review a week and more away is not "due this week"; any other order is one click away.
    assert names(alice_web.get("/?ordering=display_name")) == ["Abe", "Bea", "Cal", "Dee"]
    assert rest.pk and review_soon.pk


def test_search_phase_and_open_alert_filters_narrow_the_rows(alice_web, clinic, physio):
    ours(clinic, physio, "Ruth Adams", day=49)
    alerted = ours(clinic, physio, "Tom Becker", day=49)
    ours(clinic, physio, "Priya Shah", day=20, protocol_code="post-surgical-calcific-iat")
    alert_raise(patient=alerted, code="no_recent_logs", reason="Nothing logged.", evidence={})
    assert names(alice_web.get("/?search=becK")) == ["Tom Becker"]
    assert names(alice_web.get("/?phase=boot-heel-lift")) == ["Priya Shah"]
    assert names(alice_web.get("/?has_open_alerts=true")) == ["Tom Becker"]
    assert sorted(names(alice_web.get("/?has_open_alerts=false"))) == ["Priya Shah", "Ruth Adams"]
    # Empty fields of the filter form mean "any".
    assert len(names(alice_web.get("/?search=&phase=&status=&has_open_alerts=&ordering="))) == 3


def test_bad_filters_answer_400_in_the_apis_words(alice_web, ruth):
    answer = alice_web.get("/?ordering=age&page_size=7")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "ordering: &quot;age&quot; is not a valid choice." in page
    assert "page_size: &quot;7&quot; is not a valid choice." in page
    assert names(answer) == []


def test_pages_of_patients(alice_web, clinic, physio):
    for n in range(12):
        ours(clinic, physio, f"Patient {n:02d}", day=10)
    first = alice_web.get("/?page_size=10&ordering=display_name")
    assert names(first) == [f"Patient {n:02d}" for n in range(10)]
    assert "Page 1 of 2" in first.content.decode()
    second = alice_web.get("/?page_size=10&ordering=display_name&page=2")
    assert names(second) == ["Patient 10", "Patient 11"]
    assert 'href="?page_size=10&amp;ordering=display_name&amp;page=1" rel="prev"' in second.content.decode()


def test_every_patient_shown_leaves_the_apis_audit_entry(alice_web, clinic, physio):
    shown = [ours(clinic, physio, f"P{n}", day=10) for n in range(3)]
    hidden = ours(clinic, None, "Not mine", day=10)
    alice_web.get("/?ordering=display_name")
    entries = AuditEntry.objects.filter(actor=physio)
    assert sorted(e.patient_id for e in entries) == sorted(p.pk for p in shown)
    assert {(e.action, e.resource, e.clinic_id) for e in entries} == {("read", "/?ordering=display_name", clinic.pk)}
    assert not AuditEntry.objects.filter(patient=hidden).exists()


def test_queries_per_page_do_not_grow_with_the_page_size(alice_web, clinic, physio):
    for n in range(25):
        patient = ours(clinic, physio, f"P{n:02d}", day=20 + n)
        logs.pain(patient, 4, clock.now() - timedelta(days=1), check=False)
        logs.exercise(patient, clock.now() - timedelta(days=1))
        alert_raise(patient=patient, code="no_recent_logs", reason="Nothing logged.", evidence={})

    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            answer = alice_web.get(f"/?page_size={page_size}")
        assert len(names(answer)) == page_size
        return len(captured)

    assert queries(10) == queries(25)


def test_the_sparkline_draws_each_days_mean_of_the_last_14_days(alice_web, ruth):
    answer = alice_web.get("/")
    today = clock.local_today(ruth.timezone)
    means = {}
    for log in PainLog.objects.filter(patient=ruth, local_date__gt=today - timedelta(days=14)):
        means.setdefault(log.local_date, []).append(log.score)
    latest = max(means)
    expected = Fraction(sum(means[latest]), len(means[latest]))
    page = answer.content.decode()
    assert f"Pain over 14 days: {len(means)} days logged, latest day&#x27;s mean {float(expected):.1f} of 10" in page
    points = re.search(r'<polyline points="([^"]+)"', page).group(1).split()
    assert len(points) == len(means)


def test_instants_read_in_the_clinics_zone_with_the_zone_named(alice_web, clinic, physio):
    clinic.time_zone = "Australia/Sydney"
    clinic.save()
    patient = ours(clinic, physio, "Late logger", day=10)
    logs.pain(patient, 3, clock.now() - timedelta(hours=2), check=False)  # received now: 12:00 UTC
    page = alice_web.get("/").content.decode()
    assert "<td>2026-03-10 23:00 AEDT</td>" in page  # the last log, in Sydney (UTC+11 in March)
    assert "times in Australia/Sydney" in page
    assert timezone.get_current_timezone_name() != "Australia/Sydney"  # the zone was the request's only
