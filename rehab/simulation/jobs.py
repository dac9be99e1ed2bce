"""How the simulator writes a patient's entry and runs the periodic jobs: the product's own doors."""

import logging
from datetime import datetime

from patients.models import Patient
from rehab.api.patient import serializers as s
from rehab.services.logs import LogConflict, LogInvalid, log_record
from rehab.simulation.trajectory import Entry

logger = logging.getLogger(__name__)

IN_SERIALIZERS = {
    "pain_logs": s.PainLogInSerializer,
    "exercise_logs": s.ExerciseLogInSerializer,
    "visa_a": s.VisaAInSerializer,
    "symptom_reports": s.SymptomReportInSerializer,
    "medication_logs": s.MedicationLogInSerializer,
}


def entry_write(patient: Patient, entry: Entry) -> str:
    """One entry, exactly as POST /api/v1/me/<kind>/ stores it: the API's serializer, then log_record."""
    serializer = IN_SERIALIZERS[entry.kind](data=entry.data)
    if not serializer.is_valid():
        logger.warning("refused %s for patient %s: %s", entry.kind, patient.pk, serializer.errors)
        return "refused"
    try:
        _, outcome = log_record(patient=patient, kind=entry.kind, data=serializer.validated_data)
    except (LogInvalid, LogConflict) as exc:
        logger.warning("refused %s for patient %s: %r", entry.kind, patient.pk, exc)
        return "refused"
    return outcome


def periodic_run(now: datetime) -> dict:
    """Every periodic job once, as of `now`."""
    from rehab.services.alerts import alerts_escalate_due
    from rehab.services.engagement import no_recent_logs_raise
    from rehab.services.review_sweep import milestones_judge_due, milestones_open_due

    return {
        "opened": milestones_open_due(now=now),
        "judged": milestones_judge_due(now=now),
        "no_recent_logs": no_recent_logs_raise(now=now) if now.hour % 6 == 0 else 0,
        "escalated": alerts_escalate_due(now=now),
    }
