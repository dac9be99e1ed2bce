"""Reading a patient's logs, newest first."""

from datetime import UTC, datetime

from django.db.models import Model, QuerySet

from config.api.pagination import COUNT, counted
from config.db.compiled import compiled
from rehab.intake.registry import KINDS

# Values no request sends, standing in for a page's parameters while its query is compiled (config.db.compiled).
_PATIENT_MARKER = -7_000_000_001
_SINCE_MARKER = datetime(1901, 1, 1, tzinfo=UTC)


def patient_logs(*, patient_id: int, kind: str, since: datetime | None = None) -> QuerySet:
    """One kind of a patient's logs (by sync key), newest entry first; `since` keeps what arrived after it."""
    log_kind = KINDS[kind]
    logs = log_kind.model.objects.filter(patient_id=patient_id)
    if since is not None:
        logs = logs.filter(received_at__gt=since)
    return logs.order_by(f"-{log_kind.when}", "-id")


def patient_logs_page(
    *, patient_id: int, kind: str, since: datetime | None, offset: int, limit: int
) -> tuple[list[Model], int]:
    """A page of patient_logs() and how many there are in all, in one statement (counted()'s).

    The phone's most frequent read, so its statement is compiled once per connection rather than built
    at every request (config.db.compiled); it is patient_logs()'s queryset, sliced. Only an empty page
    past the first needs a count of its own.
    """
    markers: dict[str, object] = {"patient_id": _PATIENT_MARKER}
    if since is not None:
        markers["since"] = _SINCE_MARKER
    query = compiled(
        ("patient_logs_page", kind, since is not None),
        lambda **values: counted(patient_logs(kind=kind, **values)),
        markers,
        suffix=" LIMIT %s OFFSET %s",
    )
    page = query.rows({"patient_id": patient_id, "since": since}, [limit, offset])
    if page:
        return page, getattr(page[0], COUNT)
    if offset == 0:
        return page, 0
    return page, patient_logs(patient_id=patient_id, kind=kind, since=since).count()
