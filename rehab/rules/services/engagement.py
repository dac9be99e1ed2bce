"""Engagement: active patients who have logged nothing for a week (`no_recent_logs`).

The sweep runs every six hours over every enrolment, so its read costs index
probes per patient, never a scan of their history: "nothing received since"
is one probe per log kind, and only the silent few have their last log looked up.

The alerts are raised in batches, one transaction each. A batch that fails is
redone patient by patient: a patient whose alert cannot be raised is logged,
and their enrolment is looked at again RETRY_AFTER later (its
`engagement_check_after`), so the sweep goes on and the next runs skip them.
"""

import logging
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from config import clock
from patients.models import Patient
from protocols.models import ProtocolVersion
from rehab.alerts.models import Alert
from rehab.alerts.services.alerts import alert_raise
from rehab.care.models import Enrollment
from rehab.logs.models import patient_log_models

logger = logging.getLogger(__name__)

NEVER = datetime(1970, 1, 1, tzinfo=UTC)
BATCH_SIZE = 200
# Longer than the six hours between sweeps: a broken row is not retried (and
# logged) in every run.
RETRY_AFTER = timedelta(days=1)


def _received_since(model, since: datetime) -> Exists:
    # One probe of the (patient, received_at) index, however long the patient's history.
    return Exists(model.objects.filter(patient=OuterRef("patient_id"), received_at__gte=since))


def _last_received(model) -> Coalesce:
    # The newest row through the same index (a grouped MAX would read every row of the patient).
    latest = model.objects.filter(patient=OuterRef("patient_id")).order_by("-received_at").values("received_at")[:1]
    return Coalesce(Subquery(latest), Value(NEVER), output_field=DateTimeField())


def enrollments_silent(
    *, now: datetime, protocol_version_ids: list[int], days: int
) -> tuple[list[Enrollment], list[tuple[int, Exception]]]:
    """The enrolments on the versions, of active patients enrolled for `days` or more with nothing received for `days`.

    One per patient and version (the enrolment that counts), annotated with
    `last_log`, its patient loaded. One alert per silence: a patient already
    alerted since the last log is left out, and so is an enrolment whose
    engagement check was put off. Returns them with the (id, error) of the
    enrolments that could not be evaluated.
    """
    since = now - timedelta(days=days)
    log_models = patient_log_models()
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
        .filter(*[~_received_since(model, since) for model in log_models])
        .annotate(last_log=Greatest(*[_last_received(model) for model in log_models]))
        .exclude(Exists(alerted))
        .select_related("patient__clinic")
        .order_by("patient_id", "protocol_version_id", "-start_date")
    )
    silent, failed, seen = [], [], set()
    for enrollment in current:
        key = (enrollment.patient_id, enrollment.protocol_version_id)
        if key in seen:
            continue
        seen.add(key)
        if enrollment.engagement_check_after is not None and enrollment.engagement_check_after > now:
            continue
        try:
            if _enrolled_since(enrollment, since=since, now=now):
                silent.append(enrollment)
        except Exception as exc:  # e.g. a time zone no longer known: this patient only
            failed.append((enrollment.pk, exc))
    return silent, failed


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
        silent, failed = enrollments_silent(now=now, protocol_version_ids=version_ids, days=days)
        for enrollment_id, error in failed:
            _check_put_off(enrollment_id, now=now, error=error)
        for start in range(0, len(silent), BATCH_SIZE):
            raised += _batch_raise(silent[start : start + BATCH_SIZE], days=days, now=now)
    return raised


def _batch_raise(batch: list[Enrollment], *, days: int, now: datetime) -> int:
    """Raise one batch's alerts in one transaction; if it fails, patient by patient."""
    try:
        with transaction.atomic():
            return sum(_silence_raise(enrollment, days=days) for enrollment in batch)
    except Exception:
        logger.warning("an engagement batch failed; raising its %d alerts one by one", len(batch), exc_info=True)
    raised = 0
    for enrollment in batch:
        try:
            with transaction.atomic():
                raised += _silence_raise(enrollment, days=days)
        except Exception as exc:
            _check_put_off(enrollment.pk, now=now, error=exc)
    return raised


def _silence_raise(enrollment: Enrollment, *, days: int) -> bool:
    """True if a new alert was opened (a still-open alert refreshed is not a new one)."""
    last = None if enrollment.last_log == NEVER else enrollment.last_log.isoformat()
    _, created = alert_raise(
        patient=enrollment.patient,
        code="no_recent_logs",
        reason=f"Nothing logged for {days} days or more.",
        evidence={"last_log_at": last, "days_without_logs": days},
    )
    return created


def _check_put_off(enrollment_id: int, *, now: datetime, error: Exception) -> None:
    # Written outside the transaction that failed, so it is not rolled back with it.
    Enrollment.objects.filter(pk=enrollment_id).update(engagement_check_after=now + RETRY_AFTER)
    logger.error(
        "enrolment %s could not be checked for silence; retrying after %s", enrollment_id, RETRY_AFTER, exc_info=error
    )


def _silence_rules(now: datetime) -> dict[int, list[int]]:
    """The versions someone is enrolled on, by their rule's days: usually one query for all of them."""
    in_use = Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=now.date())).values(
        "protocol_version_id"
    )
    by_days = defaultdict(list)
    for version in ProtocolVersion.objects.filter(id__in=in_use):
        by_days[int(version.definition.rule("no_recent_logs_days"))].append(version.pk)
    return dict(by_days)
