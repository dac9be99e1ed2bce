"""The patients page's 14-day pain sparkline: each day's mean, for a whole page in one query."""

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from rehab.care.selectors.measures import daily_pain_means

SPARKLINE_DAYS = 14


def pain_sparklines(subjects: Iterable[tuple[int, date]]) -> dict[int, list[tuple[date, Fraction | None]]]:
    """(patient id, the patient's today) -> the last 14 local days ending today, each with its mean or None."""
    subjects = list(subjects)
    first_of = {pk: today - timedelta(days=SPARKLINE_DAYS - 1) for pk, today in subjects}
    daily = daily_pain_means((pk, first_of[pk], today) for pk, today in subjects)
    return {
        pk: [
            (day, daily.get(pk, {}).get(day))
            for day in (first_of[pk] + timedelta(days=n) for n in range(SPARKLINE_DAYS))
        ]
        for pk, _ in subjects
    }
