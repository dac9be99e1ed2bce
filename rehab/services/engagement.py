"""Engagement: active patients who have logged nothing for a week (`no_recent_logs`)."""

from datetime import UTC, datetime, timedelta

from django.db.models import DateTimeField, Exists, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from config import clock
from patients.models import Patient
from protocols.models import ProtocolVersion
from rehab.models import Alert, Enrollment, ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse
from rehab.services.alerts import alert_raise

LOG_MODELS = (PainLog, ExerciseLog, VisaAResponse, SymptomReport, MedicationLog)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _last_received(model) -> Coalesce:
    latest = model.objects.filter(patient=OuterRef("pk")).order_by().values("patient").annotate(m=Max("received_at"))
    return Coalesce(Subquery(latest.values("m")[:1]), Value(NEVER), output_field=DateTimeField())


def patients_silent(*, now: datetime, protocol_version_id: int, days: int):
    """Active patients on a version, enrolled for `days` or more, with nothing received for `days`.

    One alert per silence: a patient already alerted since the last log is left out.
    """
    since = now - timedelta(days=days)
    today = now.date()
    current = Enrollment.objects.filter(
        patient=OuterRef("pk"),
        protocol_version_id=protocol_version_id,
        start_date__lte=since.date(),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    alerted = Alert.objects.filter(patient=OuterRef("pk"), code="no_recent_logs", created_at__gt=OuterRef("last_log"))
    return (
        Patient.objects.filter(status=Patient.Status.ACTIVE)
        .filter(Exists(current))
        .annotate(last_log=Greatest(*[_last_received(model) for model in LOG_MODELS]))
        .filter(last_log__lt=since)
        .exclude(Exists(alerted))
        .select_related("clinic")
    )


def no_recent_logs_raise(*, now: datetime | None = None) -> int:
    """Raise `no_recent_logs` for each newly silent patient; returns how many were raised."""
    now = now or clock.now()
    raised = 0
    for version_id, days in _silence_rules(now):
        for patient in patients_silent(now=now, protocol_version_id=version_id, days=days):
            last = None if patient.last_log == NEVER else patient.last_log.isoformat()
            alert_raise(
                patient=patient,
                code="no_recent_logs",
                reason=f"Nothing logged for {days} days or more.",
                evidence={"last_log_at": last, "days_without_logs": days},
            )
            raised += 1
    return raised


def _silence_rules(now: datetime) -> list[tuple[int, int]]:
    """(protocol version, days) for each version someone is enrolled on: a few rows, not one per patient."""
    in_use = Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date())).values(
        "protocol_version_id"
    )
    versions = ProtocolVersion.objects.filter(id__in=in_use)
    return [(v.pk, int(v.spec.rule("no_recent_logs_days"))) for v in versions]
