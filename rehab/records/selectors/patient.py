"""Reading one patient for a clinician: record, enrolment history, milestones, recent logs."""

from django.db.models import Prefetch

from config import clock
from patients.models import Patient
from rehab.care.models import Enrollment, Milestone
from rehab.intake.registry import KINDS
from rehab.intake.selectors import patient_logs

RECENT_LOGS = 10


def patient_detail(patient: Patient) -> Patient:
    """The patient with `enrollment_history` (newest first, each with its milestones and `is_current`),
    `current_milestones` and `recent_logs` (the latest of each kind, by sync key) attached.

    A fixed number of queries: enrolments with their protocol, milestones with who decided, one per log kind.
    """
    today = clock.local_today(patient.timezone)
    milestones = Milestone.objects.select_related("decided_by").order_by("position")
    enrollments = list(
        Enrollment.objects.filter(patient=patient)
        .select_related("protocol_version__protocol")
        .defer("protocol_version__document")
        .prefetch_related(Prefetch("milestones", queryset=milestones))
        .order_by("-start_date")
    )
    current = next(
        (e for e in enrollments if e.start_date <= today and (e.end_date is None or e.end_date >= today)), None
    )
    for e in enrollments:
        e.is_current = e is current
    shown = current or (enrollments[0] if enrollments else None)
    patient.enrollment_history = enrollments
    patient.current_milestones = list(shown.milestones.all()) if shown else []
    patient.recent_logs = {kind: list(patient_logs(patient_id=patient.pk, kind=kind)[:RECENT_LOGS]) for kind in KINDS}
    return patient
