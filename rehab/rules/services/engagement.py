"""Engagement: active patients who have logged nothing for a week (`no_recent_logs`).

The sweep runs every six hours over every enrolment, so its read costs index
probes per patient, never a scan of their history: "nothing received since"
is one probe per log kind, and only the silent few have their last log looked up.
"""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from django.db.models import DateTimeField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from config import clock
from patients.models import Patient
from protocols.models import ProtocolVersion
from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import Enrollment
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse

LOG_MODELS = (PainLog, ExerciseLog, VisaAResponse, SymptomReport, MedicationLog)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _received_since(model, since: datetime) -> Exists:
    # One probe of the (patient, received_at) index, however long the patient's history.
    return Exists(model.objects.filter(patient=OuterRef("patient_id"), received_at__gte=since))


def _last_received(model) -> Coalesce:
    # The newest row through the same index (a grouped MAX would read every row of the patient).
    latest = model.objects.filter(patient=OuterRef("patient_id")).order_by("-received_at").values("received_at")[:1]
    return Coalesce(Subquery(latest), Value(NEVER), output_field=DateTimeField())


def patients_silent(*, now: datetime, protocol_version_ids: list[int], days: int) -> list[Patient]:
    """Active patients on one of the versions, enrolled for `days` or more, with nothing received for `days`.

    A patient comes once per version they are enrolled on, annotated with `last_log`.
    One alert per silence: a patient already alerted since the last log is left out.
    """
    since = now - timedelta(days=days)
    alerted = Alert.objects.filter(
        patient=OuterRef("patient_id"), code="no_recent_logs", created_at__gt=OuterRef("last_log")
    )
    # Every zone's local date is within a day of UTC's: the query keeps a day of
    # slack each way, and each patient's own zone decides below. On each version
    # the enrolment that counts is the latest started (the first of its pair in
    # this order); every other condition is the patient's, so it may filter first.
    current = (
        Enrollment.objects.filter(
            protocol_version_id__in=protocol_version_ids,
            start_date__lte=since.date() + timedelta(days=1),
            patient__status=Patient.Status.ACTIVE,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date() - timedelta(days=1)))
        .filter(*[~_received_since(model, since) for model in LOG_MODELS])
        .annotate(last_log=Greatest(*[_last_received(model) for model in LOG_MODELS]))
        .exclude(Exists(alerted))
        .select_related("patient__clinic")
        .order_by("patient_id", "protocol_version_id", "-start_date")
    )
    silent, seen = [], set()
    for enrollment in current:
        key = (enrollment.patient_id, enrollment.protocol_version_id)
        if key in seen:
            continue
        seen.add(key)
        if _enrolled_since(enrollment, since=since, now=now):
            enrollment.patient.last_log = enrollment.last_log
            silent.append(enrollment.patient)
    return silent


def _enrolled_since(enrollment: Enrollment, *, since: datetime, now: datetime) -> bool:
    """Enrolled on the version today (local) and since before `since`: day 0 begins at local midnight."""
    tz = enrollment.patient.timezone
    if enrollment.end_date is not None and enrollment.end_date < clock.local_today(tz, at=now):
        return False
    return clock.local_instant(enrollment.start_date, time(0, 0), tz) <= since


def no_recent_logs_raise(*, now: datetime | None = None) -> int:
    """Raise `no_recent_logs` for each newly silent patient; returns how many were raised."""
    now = now or clock.now()
    raised = 0
    for days, version_ids in _silence_rules(now).items():
        for patient in patients_silent(now=now, protocol_version_ids=version_ids, days=days):
            last = None if patient.last_log == NEVER else patient.last_log.isoformat()
            _, created = alert_raise(
                patient=patient,
                code="no_recent_logs",
                reason=f"Nothing logged for {days} days or more.",
                evidence={"last_log_at": last, "days_without_logs": days},
            )
            raised += created  # a still-open alert refreshed is not a new one
    return raised


def _silence_rules(now: datetime) -> dict[int, list[int]]:
    """The versions someone is enrolled on, by their rule's days: usually one query for all of them."""
    in_use = Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date())).values(
        "protocol_version_id"
    )
    by_days = defaultdict(list)
    for version in ProtocolVersion.objects.filter(id__in=in_use):
        by_days[int(version.spec.rule("no_recent_logs_days"))].append(version.pk)
    return dict(by_days)
