"""Loading what rehab.measures judges, for many patients in a fixed number of queries.

Callers pass (patient_id, first, last) ranges; ranges that share dates are
merged into one clause, so a page of 50 patients or a sweep of 5,000 due
reviews costs one query per log kind, not one per patient.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from fractions import Fraction

from django.db.models import Count, Q, Sum

from rehab.care.measures import VisaA
from rehab.logs.models import PainLog, VisaAResponse

Range = tuple[int, date, date]  # patient id, first local date, last local date


def _ranges_clause(ranges: Iterable[Range]) -> Q | None:
    by_window: dict[tuple[date, date], set[int]] = defaultdict(set)
    for patient_id, first, last in ranges:
        by_window[(first, last)].add(patient_id)
    clause = None
    for (first, last), ids in by_window.items():
        part = Q(patient_id__in=ids, local_date__gte=first, local_date__lte=last)
        clause = part if clause is None else clause | part
    return clause


def daily_pain_means(ranges: Iterable[Range]) -> dict[int, dict[date, Fraction]]:
    """Each patient's mean score per local day (all contexts) inside the given ranges."""
    clause = _ranges_clause(ranges)
    result: dict[int, dict[date, Fraction]] = defaultdict(dict)
    if clause is None:
        return result
    rows = (
        PainLog.objects.filter(clause)
        .values("patient_id", "local_date")
        .annotate(total=Sum("score"), n=Count("id"))
        .order_by()
    )
    for row in rows:
        result[row["patient_id"]][row["local_date"]] = Fraction(row["total"], row["n"])
    return result


def visa_a_scores(ranges: Iterable[Range]) -> dict[int, list[VisaA]]:
    clause = _ranges_clause(ranges)
    result: dict[int, list[VisaA]] = defaultdict(list)
    if clause is None:
        return result
    rows = (
        VisaAResponse.objects.filter(clause).values_list("patient_id", "local_date", "score").order_by("completed_at")
    )
    for patient_id, local_date, score in rows:
        result[patient_id].append(VisaA(local_date, score))
    return result


def daily_pain_means_by_context(*, patient_id: int, first: date, last: date) -> dict[str, dict[date, Fraction]]:
    """One patient's mean score per local day and context (morning, activity, ...): the charts' lines per context."""
    result: dict[str, dict[date, Fraction]] = defaultdict(dict)
    rows = (
        PainLog.objects.filter(patient_id=patient_id, local_date__gte=first, local_date__lte=last)
        .values("context", "local_date")
        .annotate(total=Sum("score"), n=Count("id"))
        .order_by()
    )
    for row in rows:
        result[row["context"]][row["local_date"]] = Fraction(row["total"], row["n"])
    return result
