"""The contract's list shape: {"count", "next", "previous", "results"}.

A list's `count` is a second query (DRF counts, then reads the page). A selector that
reads its page through `counted()` carries the count in the page's own statement, as an
uncorrelated subquery the database answers once (an index-only count where an index covers
the filter), and hands both to `paginate_with`: one round trip for the page and its count.
"""

import re
from collections.abc import Callable

from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from config.api.serializers import query_data

MAX_OFFSET = 100_000_000
COUNT = "list_count"  # the annotation counted() adds


def counted(queryset: QuerySet) -> QuerySet:
    """The queryset with its own count on every row (COUNT), for StandardPagination to read from the page."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return queryset.annotate(**{COUNT: RawSQL(f"SELECT COUNT(*) FROM ({sql}) counted", params, IntegerField())})


class StandardPagination(LimitOffsetPagination):
    """`?limit=&offset=`, strict: a value outside what the schema allows is a 400 naming it.

    DRF quietly falls back to the default for a bad value; a client that asked
    for 500 rows and got 50 without a word would page wrongly.
    """

    default_limit = 50
    max_limit = 200

    def paginate_with(self, request, page_of: Callable[[int, int], tuple[list, int]]) -> list:
        """The page `page_of(offset, limit)` answers with the count of everything, for a selector that reads both."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        page, self.count = page_of(self.offset, self.limit)
        return page

    def get_limit(self, request):
        return self._param(request, self.limit_query_param, self.default_limit, minimum=1, maximum=self.max_limit)

    def get_offset(self, request):
        return self._param(request, self.offset_query_param, 0, minimum=0, maximum=MAX_OFFSET)

    @staticmethod
    def _param(request, name: str, default: int, *, minimum: int, maximum: int) -> int:
        raw = query_data(request).get(name)
        if raw is None:
            return default
        value = int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None
        if value is None or value < minimum or value > maximum:
            raise ValidationError({name: [f"Must be a whole number from {minimum} to {maximum}."]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
