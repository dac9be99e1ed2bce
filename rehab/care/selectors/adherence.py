"""Adherence over the last 7 complete local days, for many patients in a fixed number of queries.

The contract: completed exercise logs over yesterday and the six days before,
divided by the sessions the plan prescribed on those days (the sum of
`times_per_day` of each day's exercises, with the patient's own dosage),
capped at 1; null when nothing was prescribed. Each day's plan is the plan of
the enrolment that covered that day, so a patient moved to another protocol
mid-week is measured against what each day actually asked of them.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from django.db.models import Count, Q

from protocols.models import ProtocolVersion
from protocols.timeline import sessions_prescribed
from rehab.care.models import Enrollment
from rehab.logs.models import ExerciseLog

ADHERENCE_DAYS = 7


@dataclass(frozen=True)
class AdherenceSubject:
    patient_id: int
    today: date  # the patient's own today
    exercise_overrides: list

    @property
    def window(self) -> tuple[date, date]:
        return self.today - timedelta(days=ADHERENCE_DAYS), self.today - timedelta(days=1)


def adherence_7d(
    subjects: Iterable[AdherenceSubject], *, versions: Mapping[int, ProtocolVersion]
) -> dict[int, Fraction | None]:
    """Each subject's adherence (exact), or None when nothing was prescribed. Two queries for any number."""
    subjects = list(subjects)
    if not subjects:
        return {}
    first = min(s.window[0] for s in subjects)
    last = max(s.window[1] for s in subjects)
    enrollments, done = _loaded([s.patient_id for s in subjects], first, last)
    return {
        s.patient_id: _adherence(
            *s.window, s.exercise_overrides, enrollments[s.patient_id], done[s.patient_id], versions=versions
        )
        for s in subjects
    }


@dataclass(frozen=True)
class WeekOfAdherence:
    week: int  # 1 for the enrolment's first seven days
    first: date
    last: date
    adherence: Fraction | None


def adherence_weekly(
    *, patient_id: int, start: date, today: date, exercise_overrides: list, versions: Mapping[int, ProtocolVersion]
) -> list[WeekOfAdherence]:
    """Adherence of each week since `start` (day 0), by the same measure as adherence_7d, up to yesterday.

    The week still running counts its days so far. Two queries for the whole enrolment.
    """
    yesterday = today - timedelta(days=1)
    if yesterday < start:
        return []
    enrollments, done = _loaded([patient_id], start, yesterday)
    weeks = []
    first, week = start, 1
    while first <= yesterday:
        last = min(first + timedelta(days=ADHERENCE_DAYS - 1), yesterday)
        value = _adherence(
            first, last, exercise_overrides, enrollments[patient_id], done[patient_id], versions=versions
        )
        weeks.append(WeekOfAdherence(week, first, last, value))
        first, week = first + timedelta(days=ADHERENCE_DAYS), week + 1
    return weeks


def _loaded(ids: list[int], first: date, last: date) -> tuple[dict, dict]:
    """Each patient's enrolments overlapping [first, last], and completed sessions per local day."""
    enrollments = defaultdict(list)
    rows = (
        Enrollment.objects.filter(patient_id__in=ids, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("patient_id", "protocol_version_id", "start_date", "end_date")
    )
    for patient_id, version_id, start, end in rows:
        enrollments[patient_id].append((version_id, start, end))
    done = defaultdict(dict)
    counts = (
        ExerciseLog.objects.filter(patient_id__in=ids, completed=True, local_date__gte=first, local_date__lte=last)
        .values("patient_id", "local_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counts:
        done[row["patient_id"]][row["local_date"]] = row["n"]
    return enrollments, done


def _adherence(
    first: date,
    last: date,
    exercise_overrides: list,
    enrollments: list,
    done: Mapping[date, int],
    *,
    versions: Mapping[int, ProtocolVersion],
) -> Fraction | None:
    """Completed over prescribed sessions on the days [first, last], capped at 1; None when nothing was prescribed."""
    prescribed = completed = 0
    day = first
    while day <= last:
        for version_id, start, end in enrollments:
            if start <= day and (end is None or day <= end):
                definition = versions[version_id].definition
                prescribed += sessions_prescribed(definition, (day - start).days, exercise_overrides)
                break
        completed += done.get(day, 0)
        day += timedelta(days=1)
    if prescribed == 0:
        return None
    return min(Fraction(completed, prescribed), Fraction(1))
