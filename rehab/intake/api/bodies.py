"""Phone bodies in, stored entries out: what POST /me/sync/ and the cohort simulator share.

Each body is validated by its kind's input serializer (one serializer per
kind, see log_bodies_validate), and the valid ones are stored by one call to
the log service's batch path, in the order given.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cache

from rest_framework import serializers

from config.api.errors import flatten_errors
from config.api.quick import NOT_SURE, quick_validator
from patients.models import Patient
from rehab.intake.registry import KINDS
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


def log_bodies_validate(kind: str, bodies: list) -> list[tuple[dict | None, dict | None]]:
    """Each body as its single endpoint validates it: (validated data, None) or (None, errors).

    One serializer serves the whole list, as in DRF's ListSerializer (building a
    serializer's fields is most of its cost, and validating keeps no state
    between items), but each item gets its own answer instead of all-or-nothing.
    An ordinary body is answered by the serializer's quick validator
    (config.api.quick), about a third of DRF's cost; the serializer has the last word
    on anything else, and gives every refusal its message.
    """
    serializer, quick = _validator(kind)
    results: list[tuple[dict | None, dict | None]] = []
    for body in bodies:
        data = quick(body)
        if data is not NOT_SURE:
            results.append((data, None))
            continue
        try:
            results.append((serializer.run_validation(body), None))
        except serializers.ValidationError as exc:
            results.append((None, serializers.as_serializer_error(exc)))
    return results


@cache
def _validator(kind: str) -> tuple[serializers.Serializer, Callable]:
    """One input serializer per kind and process, and its quick validator: fields built once, no state kept.

    (What a serializer keeps, `initial_data`, `_errors`, `_validated_data`, is set by is_valid(), which is
    never called on it; run_validation() only reads its fields.)
    """
    serializer = KINDS[kind].in_serializer()
    return serializer, quick_validator(serializer) or (lambda body: NOT_SURE)
