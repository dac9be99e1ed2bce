"""A queryset's SELECT compiled once per database connection, then run with each request's values.

Building and compiling a short queryset (a filter, an ordering, an annotation) costs the web worker
more CPU than the database spends answering it: about half a millisecond of a phone's list page,
where the indexed read itself is a fraction of that. A hot query of a fixed shape is built once with
marker values in place of its parameters; the markers' positions in the compiled SQL's parameters
are where each call's values go. Rows still go through the ORM's converters, `Model.from_db` and
the annotations, as the queryset's own iteration builds them.

What is kept is SQL text made from the models, per connection object (each thread has its own, and
a test's settings change makes a new one), never a row: nothing in it can go stale between processes.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet


def _as_parameter(connection, value):
    """A value as a compiled query's parameters hold it: the backend's own form of an instant (SQLite's is
    text; PostgreSQL's is the datetime itself), as a DateTimeField's lookup prepares it."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class CompiledQuery:
    """`build(**markers)`'s SQL (plus `suffix`, e.g. `LIMIT %s OFFSET %s`), run with new values of each marker."""

    def __init__(self, build: Callable[..., QuerySet], markers: dict[str, object], *, suffix: str, connection):
        if len(set(markers.values())) != len(markers):
            raise ValueError("markers must differ: a parameter equal to two of them names neither")
        queryset = build(**markers)
        self.connection = connection
        self.compiler = queryset.query.get_compiler(connection=connection)
        sql, params = self.compiler.as_sql()
        self.sql = sql + suffix
        # Each parameter is a marker's value (by name) or a constant of the query; markers are values no
        # request sends (a negative id, an instant before the service existed), so equality finds them.
        prepared = {name: _as_parameter(connection, marker) for name, marker in markers.items()}
        self.params = [next((name for name, marker in prepared.items() if p == marker), None) for p in params]
        self.constants = params
        missing = set(markers) - set(self.params)
        if missing:
            raise ValueError(f"the compiled query does not use {sorted(missing)}")
        info = self.compiler.klass_info
        first, last = info["select_fields"][0], info["select_fields"][-1] + 1
        self.model: type[Model] = info["model"]
        self.fields = slice(first, last)
        self.init_list = [column[0].target.attname for column in self.compiler.select[first:last]]
        self.annotations = list(self.compiler.annotation_col_map.items())
        columns = [column[0] for column in self.compiler.select[0 : self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)

    def rows(self, values: dict[str, object], extra: list) -> list[Model]:
        """The models the queryset would build, for these marker values and the suffix's parameters."""
        pairs = zip(self.params, self.constants, strict=True)
        params = [
            _as_parameter(self.connection, values[name]) if name is not None else constant for name, constant in pairs
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [*params, *extra])
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        built = []
        for row in rows:
            record = self.model.from_db(self.connection.alias, self.init_list, row[self.fields])
            for name, position in self.annotations:
                setattr(record, name, row[position])
            built.append(record)
        return built


def compiled(
    key: tuple, build: Callable[..., QuerySet], markers: dict[str, object], *, suffix: str = ""
) -> CompiledQuery:
    """The CompiledQuery of `key` on the default connection, compiled at its first use there."""
    connection = connections[DEFAULT_DB_ALIAS]
    cache = connection.__dict__.setdefault("_compiled_queries", {})
    found = cache.get(key)
    if found is None:
        found = cache[key] = CompiledQuery(build, markers, suffix=suffix, connection=connection)
    return found
