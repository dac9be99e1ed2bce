"""The clinicians' side of the API tests: a patient whose 6-8 week review is open on NOW."""

from datetime import date

from tests.support.clock import NOW

__all__ = ["NOW", "START", "TODAY"]

TODAY = date(2026, 3, 10)
START = date(2026, 1, 20)  # day 49 on NOW: the 6-8 week review (days 42-56) is open
