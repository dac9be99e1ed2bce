"""Phone bodies in, stored entries out: what POST /me/sync/ and the cohort simulator share.

Each body is validated by its kind's input serializer (one serializer per
kind, see serializers.log_bodies_validate), and the valid ones are stored by
one call to the log service's batch path, in the order given.
"""

from collections import defaultdict
from collections.abc import Sequence

from config.api.errors import flatten_errors
from patients.models import Patient
from rehab.intake.api.serializers import log_bodies_validate
from rehab.intake.services import INVALID, LogItem, LogOutcome, logs_record


def log_bodies_store(bodies: Sequence[tuple[Patient, str, object]]) -> list[LogOutcome]:
    """One outcome per (patient, kind, body); a body the serializer refuses is INVALID with its field errors."""
    outcomes: list[LogOutcome | None] = [None] * len(bodies)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, (_, kind, _) in enumerate(bodies):
        by_kind[kind].append(i)
    valid: list[tuple[int, LogItem]] = []
    for kind, indices in by_kind.items():
        checked = log_bodies_validate(kind, [bodies[i][2] for i in indices])
        for i, (data, errors) in zip(indices, checked, strict=True):
            if errors is None:
                valid.append((i, LogItem(bodies[i][0], kind, data)))
            else:
                outcomes[i] = LogOutcome(INVALID, errors=flatten_errors(errors))
    valid.sort()  # the order given, whatever the kinds
    for (i, _), outcome in zip(valid, logs_record([item for _, item in valid]), strict=True):
        outcomes[i] = outcome
    return outcomes
