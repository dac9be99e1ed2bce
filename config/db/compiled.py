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

import re
from collections.abc import Callable
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, sql

from config.db.prepared import prepared_cursor


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
        with prepared_cursor(self.connection) as cursor:  # parsed and planned once per connection too
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
    return _per_connection(
        ("query", key), lambda connection: CompiledQuery(build, markers, suffix=suffix, connection=connection)
    )


def _per_connection(key: tuple, make: Callable):
    """`make(connection)` kept on the default connection object, made at its first use there."""
    connection = connections[DEFAULT_DB_ALIAS]
    cache = connection.__dict__.setdefault("_compiled", {})
    found = cache.get(key)
    if found is None:
        found = cache[key] = make(connection)
    return found


class CompiledInsert:
    """The INSERT of new rows of `model`, compiled once for one connection: one row's, and many rows' at once.

    The SQL is what the ORM's insert compiler writes for the model (every concrete field but the auto
    primary key, RETURNING the database's returning fields); each call prepares the records' values as
    that compiler does (`pre_save`, then `get_db_prep_save`) and sets what the database returned on them.
    Many rows go as PostgreSQL's compiler sends them for bulk_create, one array per column through
    UNNEST, in binary: one text for any number of rows, so the server prepares it once where
    bulk_create's parameters, bound in the client, made a new statement of every batch. Like bulk_create, it sends no
    pre_save or post_save signal: nothing in the project listens for a log's.
    """

    def __init__(self, model: type[Model], connection):
        meta = model._meta
        self.model = model
        self.connection = connection
        self.fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        self.returning = list(meta.db_returning_fields)
        self.one_sql, self.compiler = self._compiled(rows=1)
        self.many_sql = None
        if connection.vendor == "postgresql":
            many_sql, _ = self._compiled(rows=2)  # two empty rows: the compiler writes its UNNEST form
            # The arrays go in binary (%b): psycopg writes text arrays value by value with a regex for quoting,
            # and the server parses them back; binary is a fifth less work on both sides for a week's sync.
            self.many_sql = re.sub(r"(?<!%)%s", "%b", many_sql) if "UNNEST(" in many_sql else None
        self.returning_params = self.compiler.returning_params
        self.converters = self.compiler.get_converters([f.get_col(meta.db_table) for f in self.returning])

    def _compiled(self, rows: int):
        query = sql.InsertQuery(self.model)
        query.insert_values(self.fields, [self.model() for _ in range(rows)])  # only the SQL is kept
        compiler = query.get_compiler(connection=self.connection)
        compiler.returning_fields = self.returning
        [(text, _)] = compiler.as_sql()
        return text, compiler

    def insert(self, records: list[Model]) -> None:
        connection = self.connection
        values = [[f.get_db_prep_save(f.pre_save(record, True), connection) for f in self.fields] for record in records]
        with prepared_cursor(connection) as cursor:
            if len(records) == 1:
                cursor.execute(self.one_sql, values[0])
                returned = [connection.ops.fetch_returned_insert_columns(cursor, self.returning_params)]
            else:
                cursor.execute(self.many_sql, [list(column) for column in zip(*values, strict=True)])
                returned = connection.ops.fetch_returned_insert_rows(cursor)
        if len(returned) != len(records):
            raise RuntimeError(f"{len(records)} rows inserted, {len(returned)} returned")
        if self.converters:
            returned = self.compiler.apply_converters(returned, self.converters)
        for record, row in zip(records, returned, strict=True):
            for field, value in zip(self.returning, row, strict=True):
                setattr(record, field.attname, value)
            record._state.adding = False
            record._state.db = connection.alias


def insert_one(record: Model) -> None:
    """Store one new record as `save(force_insert=True)` would, by the INSERT compiled for its model."""
    insert_many([record])


def insert_many(records: list[Model]) -> None:
    """Store new records of one model as bulk_create would (their primary keys set), by its compiled INSERT."""
    if not records:
        return
    model = type(records[0])
    connection = connections[DEFAULT_DB_ALIAS]
    compiled = None
    if connection.features.can_return_columns_from_insert:
        compiled = _per_connection(("insert", model), lambda connection: CompiledInsert(model, connection))
    if compiled is not None and (len(records) == 1 or compiled.many_sql is not None):
        compiled.insert(records)
    elif len(records) == 1:
        records[0].save(force_insert=True)
    else:
        model.objects.bulk_create(records)  # no RETURNING, or no UNNEST: the ORM's own multi-row insert
