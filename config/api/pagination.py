"""The contract's list shape: {"count", "next", "previous", "results"}."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from config.api.serializers import query_data

MAX_OFFSET = 100_000_000


class StandardPagination(LimitOffsetPagination):
    """`?limit=&offset=`, strict: a value outside what the schema allows is a 400 naming it.

    DRF quietly falls back to the default for a bad value; a client that asked
    for 500 rows and got 50 without a word would page wrongly.
    """

    default_limit = 50
    max_limit = 200

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
