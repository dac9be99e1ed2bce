"""The contract's list shape: {"count", "next", "previous", "results"}."""

from rest_framework.pagination import LimitOffsetPagination


class StandardPagination(LimitOffsetPagination):
    """`?limit=&offset=`; a bad or negative value falls back to the default rather than failing."""

    default_limit = 50
    max_limit = 200
