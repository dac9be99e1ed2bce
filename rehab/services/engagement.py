"""Engagement: active patients who have logged nothing for a week (`no_recent_logs`)."""

from datetime import UTC, datetime, time, timedelta

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


def patients_silent(*, now: datetime, protocol_version_id: int, days: int) -> list[Patient]:
    """Active patients on a version, enrolled for `days` or more, with nothing received for `days`.

    One alert per silence: a patient already alerted since the last log is left out.
    """
    since = now - timedelta(days=days)
    # Every zone's local date is within a day of UTC's: the query keeps a day of
    # slack each way, and each patient's own zone decides below.
    current = (
        Enrollment.objects.filter(
            patient=OuterRef("pk"),
            protocol_version_id=protocol_version_id,
            start_date__lte=since.date() + timedelta(days=1),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date() - timedelta(days=1)))
        .order_by("-start_date")
    )
    alerted = Alert.objects.filter(patient=OuterRef("pk"), code="no_recent_logs", created_at__gt=OuterRef("last_log"))
    candidates = (
        Patient.objects.filter(status=Patient.Status.ACTIVE)
        .annotate(enrolled_from=Subquery(current.values("start_date")[:1]))
        .annotate(enrolled_until=Subquery(current.values("end_date")[:1]))
        .filter(enrolled_from__isnull=False)
        .annotate(last_log=Greatest(*[_last_received(model) for model in LOG_MODELS]))
        .filter(last_log__lt=since)
        .exclude(Exists(alerted))
        .select_related("clinic")
    )
    return [p for p in candidates if _enrolled_since(p, since=since, now=now)]


def _enrolled_since(patient: Patient, *, since: datetime, now: datetime) -> bool:
    """Enrolled on the version today (local) and since before `since`: day 0 begins at local midnight."""
    if patient.enrolled_until is not None and patient.enrolled_until < clock.local_today(patient.timezone, at=now):
        return False
    return clock.local_instant(patient.enrolled_from, time(0, 0), patient.timezone) <= since


def no_recent_logs_raise(*, now: datetime | None = None) -> int:
    """Raise `no_recent_logs` for each newly silent patient; returns how many were raised."""
    now = now or clock.now()
    raised = 0
    for version_id, days in _silence_rules(now):
        for patient in patients_silent(now=now, protocol_version_id=version_id, days=days):
            last = None if patient.last_log == NEVER else patient.last_log.isoformat()
            _, created = alert_raise(
                patient=patient,
                code="no_recent_logs",
                reason=f"Nothing logged for {days} days or more.",
                evidence={"last_log_at": last, "days_without_logs": days},
            )
            raised += created  # a still-open alert refreshed is not a new one
    return raised


def _silence_rules(now: datetime) -> list[tuple[int, int]]:
    """(protocol version, days) for each version someone is enrolled on: a few rows, not one per patient."""
    in_use = Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date())).values(
        "protocol_version_id"
    )
    versions = ProtocolVersion.objects.filter(id__in=in_use)
    return [(v.pk, int(v.spec.rule("no_recent_logs_days"))) for v in versions]
