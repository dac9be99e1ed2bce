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

from django.db.backends.postgresql import base

HEALTH_CHECK_IDLE_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used = float("-inf")

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
