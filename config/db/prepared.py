"""The cursor of the phone's hot statements: prepared by the server once per connection where it can.

`prepared_cursor()` is the PostgreSQL backend's server-binding cursor (config/db/postgresql/base.py)
when the settings turn prepared statements on (DATABASES OPTIONS `prepare_threshold`), and Django's
ordinary cursor otherwise (the embedded SQLite default, or a pooler that cannot keep them). Either is
Django's cursor wrapper: execute wrappers, the debug log and the test suite's query counts see its
statements as any other.

A prepared statement lives in the server's session, so nothing about it is shared between processes
or outlives its connection. PgBouncer in transaction mode keeps them from version 1.21
(max_prepared_statements); an older pooler needs DATABASE_PREPARE_THRESHOLD=off. The server plans a
prepared statement again by itself after a migration changes its tables; only a migration that changes
the type of a column these statements select fails them ("cached plan must not change result type")
until their connections are replaced: within DATABASE_CONN_MAX_AGE, or at the workers' restart a deploy makes.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def prepared_cursor(connection=None):
    connection = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    make = getattr(connection, "prepared_cursor", None)
    return make() if make is not None else connection.cursor()
