"""The milestone sweep: judge the reviews nobody decided in time, close the rest.

Set-based, like healthchecks' `sendalerts`: a batch of due milestones is
claimed with `FOR UPDATE SKIP LOCKED` (two sweeps never take the same row),
the measures of the whole batch are loaded in a fixed number of queries
(rehab.care.selectors.measures), and only undecided rows are ever claimed, so
an outcome never changes by itself once recorded.

A row that fails to evaluate has its due time pushed RETRY_AFTER forward,
written after the batch's transaction so a rollback cannot undo it; a batch
whose transaction fails is redone row by row, so the row to blame is the only
one put off and the sweep goes on with the next batch.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from config import clock
from patients.models import Patient
from protocols.definition import MilestoneDefinition
from protocols.timeline import dated_milestone
from rehab.care import measures
from rehab.care.models import Milestone
from rehab.care.selectors.measures import Range, daily_pain_means, visa_a_scores
from rehab.rules.services.reviews import milestone_definition, review_not_judgeable_raise, review_referral_raise

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# A row that cannot be evaluated is looked at again this much later, so it
# never blocks the rows due after it; longer than the hour between sweeps, so
# it is not retried (and logged) in every run.
RETRY_AFTER = timedelta(hours=6)

OUTCOME_STATUS = {
    measures.IMPROVED: Milestone.Status.MET,
    measures.NOT_IMPROVED: Milestone.Status.NOT_MET,
    measures.NOT_JUDGEABLE: Milestone.Status.NOT_JUDGEABLE,
}


@dataclass(frozen=True)
class ReviewWindows:
    """The dates a review reads: its baseline's window (with fallback) and its own."""

    milestone: Milestone
    defined: MilestoneDefinition
    rules: dict
    baseline_start: object
    baseline_end: object

    @property
    def patient_id(self) -> int:
        return self.milestone.enrollment.patient_id

    @property
    def lookback_start(self):
        return self.milestone.window_end - timedelta(days=int(self.rules["review_lookback_days"]) - 1)

    @property
    def baseline_reach(self):
        return self.baseline_end + timedelta(days=int(self.rules["baseline_fallback_days"]))


def milestones_open_due(*, now: datetime | None = None) -> int:
    """Reviews whose window has opened (in the patient's local date) become `open`: the physio sees them due."""
    now = now or clock.now()
    candidates = Milestone.objects.filter(
        status=Milestone.Status.PENDING,
        kind="review",
        window_start__lte=now.date() + timedelta(days=1),  # no zone is more than a day ahead of UTC
        enrollment__patient__status=Patient.Status.ACTIVE,
    ).values_list("id", "window_start", "enrollment__patient__timezone")
    opened = [pk for pk, start, tz in candidates if clock.local_today(tz, at=now) >= start]
    return Milestone.objects.filter(id__in=opened, status=Milestone.Status.PENDING).update(status=Milestone.Status.OPEN)


def milestones_judge_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Decide every undecided milestone whose due time has passed; returns counts by status."""
    now = now or clock.now()
    totals: Counter = Counter()
    while _sweep_batch(now=now, batch_size=batch_size, totals=totals) == batch_size:
        pass
    return dict(totals)


def _sweep_batch(*, now: datetime, batch_size: int, totals: Counter) -> int:
    """Decide one batch in one transaction, or row by row if that fails; returns how many were claimed."""
    claimed = []
    try:
        with transaction.atomic():
            batch = list(_due(now)[:batch_size])
            claimed = [m.pk for m in batch]
            decided, failed = _batch_decide(batch, now=now)
    except Exception:
        if not claimed:
            raise  # the claim itself failed: no row to blame
        logger.warning("a milestone batch failed; deciding its %d rows one by one", len(claimed), exc_info=True)
        decided, failed = _rows_decide(claimed, now=now)
    _retry_later(failed, now=now)
    totals.update(m.status for m in decided)
    totals["failed"] += len(failed)
    return len(claimed)


def _due(now: datetime):
    return (
        Milestone.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("enrollment__patient", "enrollment__protocol_version__protocol")
        .filter(status__in=Milestone.UNDECIDED, due_at__lte=now)
        .order_by("due_at", "id")
    )


def _batch_decide(batch: list[Milestone], *, now: datetime) -> tuple[list[Milestone], list[tuple[int, Exception]]]:
    """Decide and store a batch; returns the decided rows and the (id, error) of those that failed to evaluate."""
    decided, reviews = [], []
    for m in batch:
        if m.enrollment.patient.status == Patient.Status.DISCHARGED:
            decided.append(_decide(m, Milestone.Status.CANCELLED, now, {"reason": "patient discharged"}))
        elif m.kind == "review":
            reviews.append(m)
        else:
            # Baselines, checks and transitions are reminders and measurements, never judged.
            decided.append(_decide(m, Milestone.Status.DONE, now, {}))
    judged, failed = _reviews_judge(reviews, now=now)
    decided.extend(judged)
    _decisions_write(decided)
    return decided, failed


def _rows_decide(ids: list[int], *, now: datetime) -> tuple[list[Milestone], list[tuple[int, Exception]]]:
    """A failed batch again, each row in its own transaction: only the row to blame fails."""
    decided, failed = [], []
    for pk in ids:
        try:
            with transaction.atomic():
                # Claimed again: the failed batch's locks went with its rollback.
                row_decided, row_failed = _batch_decide(list(_due(now).filter(pk=pk)), now=now)
        except Exception as exc:
            row_decided, row_failed = [], [(pk, exc)]
        decided += row_decided
        failed += row_failed
    return decided, failed


def _retry_later(failed: list[tuple[int, Exception]], *, now: datetime) -> None:
    """Push the failed rows' due time forward, outside the batch's transaction so no rollback undoes it."""
    if not failed:
        return
    Milestone.objects.filter(id__in=[pk for pk, _ in failed], status__in=Milestone.UNDECIDED).update(
        due_at=now + RETRY_AFTER
    )
    for pk, error in failed:
        logger.error("milestone %s could not be judged; retrying after %s", pk, RETRY_AFTER, exc_info=error)


def _decisions_write(decided: list[Milestone]) -> None:
    """Store a batch's outcomes in one UPDATE from arrays.

    Each row has its own evidence, so a queryset .update() cannot do it, and
    bulk_update builds a CASE per row and field that took longer to compile
    than the whole judgement (bench/sweep.py: 0.4 s per batch of 200).
    """
    if not decided:
        return
    if connection.vendor != "postgresql":  # the embedded SQLite default: the portable, slower way
        Milestone.objects.bulk_update(decided, ["status", "decided_at", "evidence"])
        return
    from psycopg.types.json import Jsonb  # PostgreSQL's driver only

    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Milestone._meta.db_table} AS m
                SET status = v.status, decided_at = v.decided_at, evidence = v.evidence
                FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::jsonb[])
                    AS v(id, status, decided_at, evidence)
                WHERE m.id = v.id""",
            [
                [m.pk for m in decided],
                [str(m.status) for m in decided],
                [m.decided_at for m in decided],
                [Jsonb(m.evidence) for m in decided],
            ],
        )


def _decide(m: Milestone, status: str, now: datetime, evidence: dict) -> Milestone:
    m.status, m.decided_at, m.evidence = status, now, evidence
    return m


def _reviews_judge(reviews: list[Milestone], *, now: datetime):
    """Judge a batch of reviews on measures loaded for all of them at once; raise their alerts."""
    windows, failed = [], []
    for m in reviews:
        try:
            windows.append(_windows_of(m))
        except Exception as exc:  # a malformed definition must not stall the sweep
            failed.append((m.pk, exc))
    pain = daily_pain_means(_pain_ranges(windows))
    visa = visa_a_scores(_visa_ranges(windows))
    judged = []
    for w in windows:
        try:
            judgement = _judge(w, pain.get(w.patient_id, {}), visa.get(w.patient_id, []))
            evidence = {**judgement.evidence, "milestone": w.milestone.code, "judged_at": now.isoformat()}
            if judgement.outcome != measures.IMPROVED:
                with transaction.atomic():  # a savepoint: a failed alert leaves the batch usable
                    _alert_for(w.milestone, judgement.outcome, evidence)
            judged.append(_decide(w.milestone, OUTCOME_STATUS[judgement.outcome], now, evidence))
        except Exception as exc:
            failed.append((w.milestone.pk, exc))
    return judged, failed


def _windows_of(m: Milestone) -> ReviewWindows:
    definition = m.enrollment.protocol_version.definition
    own = milestone_definition(m)
    baseline = dated_milestone(definition.milestone(own.baseline), m.enrollment.start_date)
    return ReviewWindows(m, own, definition.rules, baseline.window_start, baseline.window_end)


def _pain_ranges(windows: list[ReviewWindows]) -> list[Range]:
    ranges = []
    for w in windows:
        ranges.append((w.patient_id, w.baseline_start, w.baseline_reach))
        ranges.append((w.patient_id, w.lookback_start, w.milestone.window_end))
    return ranges


def _visa_ranges(windows: list[ReviewWindows]) -> list[Range]:
    ranges = []
    for w in windows:
        ranges.append((w.patient_id, w.baseline_start, w.baseline_reach))
        ranges.append((w.patient_id, w.milestone.window_start, w.milestone.window_end))
    return ranges


def _judge(w: ReviewWindows, daily: dict, visa: list) -> measures.Judgement:
    rules, m = w.rules, w.milestone
    min_days = int(rules["pain_min_days"])
    current_pain = measures.pain_measure(daily, w.lookback_start, m.window_end, min_days=min_days)
    current_visa = measures.visa_a_latest(visa, m.window_start, m.window_end)
    if w.defined.judge == "recovery":
        return measures.judge_recovery(rules=rules, current_pain=current_pain, current_visa_a=current_visa)
    fallback = int(rules["baseline_fallback_days"])
    return measures.judge_improvement(
        rules=rules,
        baseline_pain=measures.pain_baseline(
            daily, w.baseline_start, w.baseline_end, min_days=min_days, fallback_days=fallback
        ),
        current_pain=current_pain,
        baseline_visa_a=measures.visa_a_baseline(visa, w.baseline_start, w.baseline_end, fallback_days=fallback),
        current_visa_a=current_visa,
    )


def _alert_for(m: Milestone, outcome: str, evidence: dict) -> None:
    if outcome == measures.NOT_IMPROVED:
        review_referral_raise(milestone=m, evidence=evidence)
    elif outcome == measures.NOT_JUDGEABLE:
        review_not_judgeable_raise(milestone=m, evidence=evidence)
