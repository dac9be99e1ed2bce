"""Writing many model rows at once with PostgreSQL COPY.

bulk_create sends one INSERT per batch and builds a RETURNING list; COPY
streams rows and is several times faster for the 100,000-row tables the
benchmarks need. Values go through each field's own database preparation, so
a row written here is the row `save()` would have written.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def ids_allocate(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys from the table's sequence, so COPY can write them."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count])
        return [row[0] for row in cursor.fetchall()]


def copy_instances(objs: Sequence[models.Model], *, assign_ids: bool = True) -> int:
    """COPY unsaved instances of one model into its table; gives them ids first. Returns the row count.

    auto_now/auto_now_add fields are filled as save() would fill them.
    """
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    auto_pk = isinstance(meta.pk, models.AutoField)
    if assign_ids and auto_pk:
        for obj, pk in zip(objs, ids_allocate(model, len(objs)), strict=True):
            obj.pk = pk
    fields = [f for f in meta.concrete_fields if not (auto_pk and f.primary_key and not assign_ids)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)

    def rows() -> Iterable[tuple]:
        for obj in objs:
            yield tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields)

    return copy_rows(meta.db_table, columns, rows())


def copy_rows(table: str, columns: str, rows: Iterable[tuple]) -> int:
    """COPY plain tuples into `table` (columns: a quoted, comma-separated list)."""
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count
