"""Django's PostgreSQL backend, with its per-request health check only where it can catch something.

CONN_HEALTH_CHECKS makes Django ping a persistent connection (`SELECT 1`, a
round trip) before the first statement of every request, so a connection the
server or a firewall dropped while it sat idle is replaced instead of failing
a request. A connection that served a statement moments ago has just proved
itself: pinging it again costs every request of a busy worker a round trip
(a sixth of a new pain entry's) and catches nothing the request itself would
not. So the ping is made only when the connection has been idle for
HEALTH_CHECK_IDLE_SECONDS or more.

What stays as before: a statement that fails on a broken connection marks it,
and Django closes it at the end of that request (is_usable), so the next
request connects afresh; a connection idle long enough to have been dropped
is pinged first. What a busy connection gives up: a server restart within
those seconds of its last statement fails that worker's next request once,
as it fails the requests in flight at the restart anyway.
"""

import time
from functools import lru_cache

import psycopg
from django.db.backends.postgresql import base, operations
from psycopg import adapt, errors

HEALTH_CHECK_IDLE_SECONDS = 5.0


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """A prepared statement's SQL with its values, as the debug log and query counts show any other.

        psycopg keeps no query text for a statement it ran by its prepared name, where Django's reads it.
        """
        if isinstance(cursor, base.ServerBindingCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _last_used = float("-inf")

    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["context"] = _adapters_with_fast_instants(params["context"])
        return params

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and time.monotonic() - self._last_used < HEALTH_CHECK_IDLE_SECONDS:
            self.health_check_done = True  # used moments ago: no ping for this request
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_used = time.monotonic()
        return cursor

    def connect(self) -> None:
        super().connect()
        self._last_used = time.monotonic()

    def prepared_cursor(self):
        """A cursor whose statements the server prepares: parsed and planned once per connection, not per request.

        Django's own cursors bind parameters in the client (psycopg's ClientCursor), so the server parses
        and plans every statement afresh: for the phone's hot statements (the sign-in's user, the pain
        rules' windows, a new entry's INSERT, the newest page) that is half or more of what the server
        spends on them. This cursor binds on the server, and psycopg prepares a statement once it has run
        `prepare_threshold` times on the connection (OPTIONS; None, Django's default, turns preparing off,
        and then this is the ordinary cursor). Only the callers of config.db.prepared use it: every other
        query keeps Django's binding, whose SQL (a parameter's type left to the server to infer) is not
        always valid with server-side parameters.
        """
        if self.settings_dict["OPTIONS"].get("prepare_threshold") is None:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = base.ServerBindingCursor(self.connection)
            # As create_cursor does: the cursor loads instants in the backend's zone if the connection does not.
            if self.timezone != self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT).timezone:
                base.register_tzloader(self.timezone, cursor)
            cursor = self._prepare_cursor(cursor)
        self._last_used = time.monotonic()
        return cursor


@lru_cache
def _adapters_with_fast_instants(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters (one map per zone, cached as Django caches its own), with the loader below."""
    adapters = adapt.AdaptersMap(template)
    zone = template.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT).timezone
    adapters.register_loader("timestamptz", type("TzLoader", (_TzLoader,), {"timezone": zone}))
    return adapters


class _TzLoader(adapt.Loader):
    """Django's timestamptz loader (every instant in the connection's zone), parsing with psycopg's own.

    Django's subclasses psycopg's pure-Python loader, so every instant read was parsed in Python:
    3 us, against 0.9 us in the C loader of psycopg's binary package, which cannot be subclassed. A
    newest page reads sixty. Where psycopg has no C part this is its Python loader, as before.
    `timezone` is what Django's create_cursor compares to decide whether to register its own.
    """

    timezone = None

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = psycopg.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)(oid, context).load

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)
