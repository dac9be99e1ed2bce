"""Section 4's baselines of a current enrolment, as the dashboard rows and the patient's charts show them.

One reading for both, so the baseline in a patient's row is the line on their chart.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from protocols.definition import ProtocolDefinition
from protocols.timeline import DatedMilestone, dated_milestone
from rehab.care import measures


@dataclass(frozen=True)
class BaselineWindow:
    dated: DatedMilestone
    fallback_days: int
    pain_min_days: int

    @property
    def reach(self) -> date:
        """The last day a baseline may be read from (the window and its fallback days)."""
        return self.dated.window_end + timedelta(days=self.fallback_days)

    def pain(self, daily: Mapping[date, Fraction]) -> measures.PainMeasure | None:
        return measures.pain_baseline(
            daily,
            self.dated.window_start,
            self.dated.window_end,
            min_days=self.pain_min_days,
            fallback_days=self.fallback_days,
        )

    def visa_a(self, responses: Iterable[measures.VisaA]) -> measures.VisaA | None:
        return measures.visa_a_baseline(
            responses, self.dated.window_start, self.dated.window_end, fallback_days=self.fallback_days
        )


def baseline_milestone(definition: ProtocolDefinition):
    """The milestone whose window is the baseline of the protocol's reviews (section 4)."""
    for m in definition.milestones:
        if m.is_review and m.baseline:
            return definition.milestone(m.baseline)
    return next((m for m in definition.milestones if m.kind == "baseline"), None)


def baseline_window(definition: ProtocolDefinition, start: date) -> BaselineWindow | None:
    """The dated baseline window of an enrolment started on `start`, or None for a protocol without one."""
    baseline = baseline_milestone(definition)
    if baseline is None:
        return None
    return BaselineWindow(
        dated_milestone(baseline, start),
        int(definition.rule("baseline_fallback_days")),
        int(definition.rule("pain_min_days")),
    )
