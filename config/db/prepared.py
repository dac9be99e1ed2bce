"""The cursor of the phone's hot statements: prepared by the server once per connection where it can.

`prepared_cursor()` is the PostgreSQL backend's server-binding cursor (config/db/postgresql/base.py)
when the settings turn prepared statements on (DATABASES OPTIONS `prepare_threshold`), and Django's
ordinary cursor otherwise (the embedded SQLite default, or a pooler that cannot keep them). Either is
Django's cursor wrapper: execute wrappers, the debug log and the test suite's query counts see its
statements as any other.

A prepared statement lives in the server's session, so nothing about it is shared between processes
or outlives its connection. PgBouncer in transaction mode keeps them from version 1.21
(max_prepared_statements); an older pooler needs DATABASE_PREPARE_THRESHOLD=off.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def prepared_cursor(connection=None):
    connection = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    make = getattr(connection, "prepared_cursor", None)
    return make() if make is not None else connection.cursor()
