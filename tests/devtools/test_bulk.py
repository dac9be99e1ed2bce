import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from patients.models import Patient
from rehab.care.models import Milestone
from rehab.care.services.enrollment import enrollment_start
from rehab.devtools.simulation import bulk
from rehab.devtools.simulation.trajectory import visa_a_answers
from rehab.logs.models import PainLog, VisaAResponse
from rehab.logs.visa_a import visa_a_score
from tests.factories import PatientFactory, protocol_version

pytestmark = pytest.mark.django_db

FIELDS = ("code", "name", "kind", "position", "window_start", "window_end", "due_at", "status")


def _milestones(enrollment):
    return [tuple(getattr(m, f) for f in FIELDS) for m in enrollment.milestones.order_by("position")]


@time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=ZoneInfo("UTC")), tick=False)
@pytest.mark.parametrize("code", ["conservative-calcific-iat", "post-surgical-calcific-iat"])
@pytest.mark.parametrize("tz", ["Australia/Sydney", "America/Los_Angeles"])
def test_bulk_enrolment_writes_the_same_milestones_as_enrollment_start(code, tz):
    pv = protocol_version(code)
    start = date(2026, 1, 5)  # some windows already closed: skipped in both
    one = PatientFactory(timezone=tz)
    by_service = enrollment_start(patient=one, protocol_version=pv, start_date=start)
    [clinic] = bulk.clinics_create(1)
    [other] = bulk.patients_create([bulk.PatientRow(clinic, None, "Bulk", tz, one.condition)])
    [by_bulk] = bulk.enrollments_create([(other, pv, start)])

    assert _milestones(by_bulk) == _milestones(by_service)
    assert {m[-1] for m in _milestones(by_bulk)} >= {Milestone.Status.SKIPPED, Milestone.Status.PENDING}


def test_bulk_patients_and_staff_are_ordinary_rows_with_ids():
    clinics = bulk.clinics_create(2)
    physios = bulk.staff_create(clinics, per_clinic=2, prefix="physio", password="pw-for-bench")
    rows = [bulk.PatientRow(clinics[i % 2], physios[i % 4], f"P{i}", "Asia/Kolkata", "x") for i in range(10)]
    patients = bulk.patients_create(rows)

    assert Patient.objects.filter(pk__in=[p.pk for p in patients]).count() == 10
    assert physios[0].check_password("pw-for-bench")
    # The sequence moved past the copied ids: an ordinary insert still works.
    assert PatientFactory().pk > max(p.pk for p in patients)


def test_history_logs_are_dated_in_the_patients_zone_and_score_visa_a_like_the_service():
    [clinic] = bulk.clinics_create(1)
    [patient] = bulk.patients_create([bulk.PatientRow(clinic, None, "Syd", "Australia/Sydney", "x")])
    made = datetime(2026, 3, 1, 22, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 on 2 March in Sydney
    answers = visa_a_answers(63)
    pain = {"client_id": str(uuid.uuid4()), "recorded_at": made.isoformat(), "score": 4, "context": "morning"}
    visa = {"client_id": str(uuid.uuid4()), "completed_at": made.isoformat(), **answers}
    count = bulk.logs_copy([(patient, "pain_logs", pain), (patient, "visa_a", visa)])

    assert count == 2
    pain = PainLog.objects.get(patient=patient)
    assert pain.local_date == date(2026, 3, 2)
    assert pain.received_at == made + timedelta(minutes=2)
    assert VisaAResponse.objects.get(patient=patient).score == visa_a_score(answers) == 63
