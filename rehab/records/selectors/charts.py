"""What one patient's charts draw: daily pain, VISA-A and weekly adherence over the current enrolment.

Values come from the same loaders and section-4 functions as the rules that
judge reviews (rehab.care.selectors.measures, rehab.care.measures), so the
baseline and the improvement line on the chart are the numbers the review is
judged against, read from the patient's own protocol version. A fixed number
of queries for any length of enrolment.
"""

from datetime import date, timedelta

from patients.models import Patient
from protocols.models import ProtocolVersion
from protocols.timeline import dated_phases
from rehab.care import measures
from rehab.care.models import Enrollment, Milestone
from rehab.care.selectors.adherence import adherence_weekly
from rehab.care.selectors.measures import daily_pain_means, daily_pain_means_by_context, visa_a_scores
from rehab.records.selectors.baselines import baseline_window


def patient_charts(*, patient: Patient, enrollment: Enrollment, today: date, milestones: list[Milestone]) -> dict:
    """The charts' data as plain JSON values (dates as ISO strings, measures as floats)."""
    version: ProtocolVersion = enrollment.protocol_version
    definition = version.definition
    start = enrollment.start_date
    last = today if enrollment.end_date is None else min(today, enrollment.end_date)
    daily = daily_pain_means([(patient.pk, start, last)]).get(patient.pk, {})
    by_context = daily_pain_means_by_context(patient_id=patient.pk, first=start, last=last)
    visa = visa_a_scores([(patient.pk, start, last)]).get(patient.pk, [])
    window = baseline_window(definition, start)
    pain_baseline = None if window is None else window.pain(daily)
    visa_baseline = None if window is None else window.visa_a(visa)
    rules = definition.rules
    weeks = adherence_weekly(
        patient_id=patient.pk,
        start=start,
        # Up to yesterday; an enrolment that ended counts up to its last day.
        today=min(today, last + timedelta(days=1)),
        exercise_overrides=patient.exercise_overrides,
        versions={version.pk: version},
    )
    return {
        "protocol": {"code": definition.code, "version": version.version},
        "range": {"start": start.isoformat(), "end": _range_end(last, today, milestones).isoformat()},
        "today": today.isoformat(),
        "phases": [
            {"code": p.code, "name": p.name, "start": p.start.isoformat(), "end": p.end and p.end.isoformat()}
            for p in dated_phases(definition, start)
        ],
        "milestones": [
            {
                "code": m.code,
                "name": m.name,
                "kind": m.kind,
                "window_start": m.window_start.isoformat(),
                "window_end": m.window_end.isoformat(),
                "status": m.status,
            }
            for m in milestones
        ],
        "pain": {
            "daily_mean": _series(daily),
            "by_context": {context: _series(days) for context, days in sorted(by_context.items())},
            "baseline": None if pain_baseline is None else float(pain_baseline.value),
            "baseline_window": None
            if window is None
            else {"start": window.dated.window_start.isoformat(), "end": window.dated.window_end.isoformat()},
            "improvement_threshold": None
            if pain_baseline is None
            else float(measures.pain_improvement_threshold(rules=rules, baseline=pain_baseline.value)),
            "improvement_rule": {
                "points": float(rules["pain_improvement_points"]),
                "fraction": float(rules["pain_improvement_fraction"]),
            },
        },
        "visa_a": {
            "scores": [{"date": r.local_date.isoformat(), "score": r.score} for r in visa],
            "baseline": None if visa_baseline is None else visa_baseline.score,
            "improvement_target": None
            if visa_baseline is None
            else measures.visa_a_improvement_target(rules=rules, baseline=visa_baseline.score),
        },
        "adherence_weekly": [
            {
                "week": w.week,
                "start": w.first.isoformat(),
                "end": w.last.isoformat(),
                "adherence": None if w.adherence is None else float(w.adherence),
            }
            for w in weeks
        ],
    }


# A milestone still to come shows on the chart if its window opens within this many days.
MILESTONE_AHEAD_DAYS = 14


def _range_end(last: date, today: date, milestones: list[Milestone]) -> date:
    """Up to the last day logged, or on to the end of a milestone soon to come (the review ahead)."""
    soon = today + timedelta(days=MILESTONE_AHEAD_DAYS)
    ahead = [
        m for m in milestones if m.status in Milestone.UNDECIDED and m.window_end >= today and m.window_start <= soon
    ]
    upcoming = min(ahead, key=lambda m: (m.window_start, m.position), default=None)
    return last if upcoming is None else max(last, upcoming.window_end)


def _series(days: dict) -> list[dict]:
    return [{"date": d.isoformat(), "mean": float(v)} for d, v in sorted(days.items())]
