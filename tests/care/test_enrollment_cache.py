"""The signed-in patient's enrolments come from a per-process cache that can never answer stale.

Each "request" below loads the patient the way the API's authentication does
(one query, user and patient together) and reads the enrolments as every
/me/ request does. Whatever path changes the enrolments (a service, the
admin, a QuerySet update, a bulk COPY, raw SQL on another connection, a
TRUNCATE, a protocol edit), the next request sees the change, because the
database gives the patient a new stamp in the same transaction.
"""

from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework_simplejwt.tokens import AccessToken

from patients.api.authentication import JWTPatientAuthentication
from patients.models import Patient, User
from protocols.models import Protocol
from rehab.care.models import Enrollment
from rehab.care.selectors.enrollment import EnrollmentCache, EnrollmentHistory, enrollment_history_cache_use
from rehab.care.services.enrollment import enrollment_start
from rehab.devtools.simulation.copy import copy_instances
from tests.factories import PatientFactory, enrolled_patient, protocol_version
from tests.support.patient_api import START, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

MOVED = START + timedelta(days=5)


def request_patient(patient: Patient) -> Patient:
    """The patient row as a request's authentication loads it."""
    token = AccessToken.for_user(patient.user)
    request = Request(RequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}"))
    user, _ = JWTPatientAuthentication().authenticate(request)
    return user.patient


def seen(patient: Patient) -> list[tuple]:
    """What the next request works with: (protocol, care, start, end) newest first."""
    history = EnrollmentHistory.of(request_patient(patient))
    return [
        (e.protocol_version.protocol.code, e.protocol_version.protocol.care, e.start_date, e.end_date)
        for e in history.newest_first
    ]


def warm(patient: Patient, django_assert_num_queries) -> list[tuple]:
    """Fill the cache, and show that the following request is served from it."""
    before = seen(patient)
    patient_row = request_patient(patient)
    with django_assert_num_queries(0):
        EnrollmentHistory.of(patient_row)
    return before


ORIGINAL = [("conservative-calcific-iat", "conservative", START, None)]


def test_a_request_reads_the_enrolments_once_and_then_from_the_cache(patient, django_assert_num_queries):
    first = request_patient(patient)
    with django_assert_num_queries(1):
        EnrollmentHistory.of(first)
    second = request_patient(patient)
    with django_assert_num_queries(0):
        EnrollmentHistory.of(first)
        EnrollmentHistory.of(second)
    assert seen(patient) == ORIGINAL


def test_rows_read_after_a_change_are_filed_under_the_new_stamp(patient, django_assert_num_queries):
    # A request that loaded its patient just before a move reads the enrolments after it: those rows
    # belong to the stamp read with them, so the next request (which loads the new stamp) is served.
    loaded_before = request_patient(patient)
    enrollment_start(patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=MOVED)
    assert EnrollmentHistory.of(loaded_before).newest_first[0].start_date == MOVED
    loaded_after = request_patient(patient)
    assert loaded_after.enrollments_stamp != loaded_before.enrollments_stamp
    with django_assert_num_queries(0):
        assert EnrollmentHistory.of(loaded_after).newest_first[0].start_date == MOVED


def test_a_move_through_the_service_is_seen_by_the_next_request(patient, django_assert_num_queries):
    assert warm(patient, django_assert_num_queries) == ORIGINAL
    enrollment_start(patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=MOVED)
    assert seen(patient) == [
        ("conservative-achilles-ho", "conservative", MOVED, None),
        ("conservative-calcific-iat", "conservative", START, MOVED - timedelta(days=1)),
    ]


def test_a_model_save_as_the_admin_makes_is_seen(patient, django_assert_num_queries):
    warm(patient, django_assert_num_queries)
    enrollment = Enrollment.objects.get(patient=patient)
    enrollment.start_date = START - timedelta(days=3)
    enrollment.save()
    assert seen(patient) == [("conservative-calcific-iat", "conservative", START - timedelta(days=3), None)]


def test_a_deletion_in_the_admin_is_seen(patient, django_assert_num_queries):
    admin = User.objects.create_superuser("root", "root@example.com", "a-long-admin-passphrase")
    warm(patient, django_assert_num_queries)
    enrollment = Enrollment.objects.get(patient=patient)
    browser = client_for(None)
    browser.force_login(admin)
    answer = browser.post(f"/admin/care/enrollment/{enrollment.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert seen(patient) == []
    assert client_for(patient.user).get("/api/v1/me/").json()["enrollment"] is None


def test_a_queryset_update_and_a_bulk_copy_are_seen(patient, django_assert_num_queries):
    warm(patient, django_assert_num_queries)
    Enrollment.objects.filter(patient=patient).update(end_date=MOVED - timedelta(days=1))
    assert seen(patient)[0][3] == MOVED - timedelta(days=1)
    warm(patient, django_assert_num_queries)
    # The simulator's bulk set-up writes enrolments with COPY, no Python in the way.
    copy_instances(
        [Enrollment(patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=MOVED)]
    )
    assert [row[0] for row in seen(patient)] == ["conservative-achilles-ho", "conservative-calcific-iat"]


def test_a_queryset_delete_and_a_truncate_are_seen(patient, django_assert_num_queries):
    other = enrolled_patient(start=START)
    warm(patient, django_assert_num_queries)
    warm(other, django_assert_num_queries)
    Enrollment.objects.filter(patient=patient).delete()
    assert seen(patient) == []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run with checks still deferred
        cursor.execute("TRUNCATE rehab_enrollment CASCADE")
    assert seen(other) == []


def test_a_protocol_edit_is_seen_by_its_patients(patient, django_assert_num_queries):
    warm(patient, django_assert_num_queries)
    Protocol.objects.filter(code="conservative-calcific-iat").update(care=Protocol.Care.POST_SURGICAL)
    assert seen(patient)[0][1] == "post_surgical"


def test_rewriting_a_protocol_unchanged_keeps_its_patients_cached(patient, django_assert_num_queries):
    # The library's sync runs update_or_create on every migrate; that must not empty every cache.
    warm(patient, django_assert_num_queries)
    protocol = Protocol.objects.get(code="conservative-calcific-iat")
    protocol.save()
    row = request_patient(patient)
    with django_assert_num_queries(0):
        EnrollmentHistory.of(row)


def test_saving_a_patient_loaded_before_the_change_cannot_bring_the_old_stamp_back(patient, django_assert_num_queries):
    old = Patient.objects.get(pk=patient.pk)
    warm(patient, django_assert_num_queries)
    enrollment_start(patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=MOVED)
    old.display_name = "Renamed"
    old.save()  # writes every column, the stamp it was loaded with included
    assert Patient.objects.get(pk=patient.pk).enrollments_stamp != old.enrollments_stamp
    assert seen(patient)[0][0] == "conservative-achilles-ho"


def test_a_state_read_inside_a_transaction_that_rolled_back_is_never_served(patient, django_assert_num_queries):
    warm(patient, django_assert_num_queries)
    with pytest.raises(RuntimeError), transaction.atomic():
        enrollment_start(
            patient=patient, protocol_version=protocol_version("conservative-achilles-ho"), start_date=MOVED
        )
        assert seen(patient)[0][0] == "conservative-achilles-ho"  # cached under the uncommitted stamp
        raise RuntimeError("roll back")
    assert seen(patient) == ORIGINAL


def test_rows_outside_a_request_are_read_every_time(patient, django_assert_num_queries):
    seen(patient)
    with django_assert_num_queries(1):
        EnrollmentHistory.of(patient)  # a job's or a test's instance: its stamp may be old
    fresh = Patient.objects.get(pk=patient.pk)
    for _ in range(2):
        with django_assert_num_queries(1):
            EnrollmentHistory.of(fresh)


def test_a_patient_not_enrolled_yet_is_read_every_time_and_sees_the_first_enrolment(django_assert_num_queries):
    patient = PatientFactory()
    assert seen(patient) == []
    row = request_patient(patient)
    with django_assert_num_queries(1):
        EnrollmentHistory.of(row)
    enrollment_start(patient=patient, protocol_version=protocol_version("conservative-calcific-iat"), start_date=START)
    assert seen(patient) == ORIGINAL


def test_changing_what_one_request_was_given_does_not_change_the_next(patient, django_assert_num_queries):
    warm(patient, django_assert_num_queries)
    given = EnrollmentHistory.of(request_patient(patient)).newest_first[0]
    given.start_date = date(2020, 1, 1)
    given.is_current = False
    again = EnrollmentHistory.of(request_patient(patient)).newest_first[0]
    assert again.start_date == START and not hasattr(again, "is_current")


def test_the_cache_keeps_the_most_recently_used_patients_up_to_its_size(django_assert_num_queries):
    cache = EnrollmentCache(size=2)
    a, b, c = (request_patient(enrolled_patient(start=START)) for _ in range(3))
    for p in (a, b, a, c):  # c evicts b, the least recently used
        cache.rows(p)
    assert len(cache) == 2
    with django_assert_num_queries(0):
        cache.rows(a)
        cache.rows(c)
    with django_assert_num_queries(1):
        cache.rows(b)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_seen_by_the_next_request(django_assert_num_queries):
    """Another process (a worker, a clinician's request on another server) shares nothing but the database."""
    patient = enrolled_patient(start=START)
    warm(patient, django_assert_num_queries)
    settings = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None, port=settings["PORT"] or None,
    )  # fmt: skip
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("UPDATE rehab_enrollment SET start_date = %s WHERE patient_id = %s", [MOVED, patient.pk])
    assert seen(patient) == [("conservative-calcific-iat", "conservative", MOVED, None)]


def test_the_cache_is_off_for_rows_not_opted_in_even_after_opting_in_another(patient, django_assert_num_queries):
    row = Patient.objects.get(pk=patient.pk)
    enrollment_history_cache_use(row)
    EnrollmentHistory.of(row)
    with django_assert_num_queries(0):
        EnrollmentHistory.of(row)
    with django_assert_num_queries(1):
        EnrollmentHistory.of(patient)


def test_cached_patients_on_one_protocol_version_share_its_definition():
    cache = EnrollmentCache()
    a, b = (request_patient(enrolled_patient(start=START)) for _ in range(2))
    [row_a], [row_b] = cache.rows(a), cache.rows(b)
    assert row_a.protocol_version.pk == row_b.protocol_version.pk
    assert row_a.protocol_version.document is row_b.protocol_version.document
    assert row_a.protocol_version.definition.code == "conservative-calcific-iat"
