"""Rate limits: 429 `throttled` with Retry-After, before anyone hammers, guesses codes or sprays passwords.

Signed-in requests count per sign-in (THROTTLE_USER), and a phone's sync, the heaviest request,
also against its own budget (THROTTLE_SYNC). Only the endpoints nobody is signed in to count per
address (activation, sign-in, refresh and sign-out), since a whole clinic activating its patients
may sit behind one address: the address is config.client_address's, the one the lock-out uses.

Each rate is read from settings.THROTTLE_<SCOPE> at every request, so the environment and a
test's settings override both reach it (DRF's own classes read their rates once, at import). The
counts live in the "throttles" cache: Redis wherever REDIS_URL is set, shared by every worker.
The schema documents the 429 of every throttled operation (config.api.throttled_schema).

In Redis a request's count is one round trip: the same sliding window as DRF's
(the requests of the last `duration` seconds, a refused one not counted) kept
as a sorted set and judged by a script on the server, where DRF's get-then-set
of a pickled list costs two round trips and a race between workers (two
requests reading the same list both pass). Other caches (the tests' per-process
one, the local file cache) count with DRF's own code. The clock is the
process's (time.time, DRF's timer), passed in, so tests that move it move this.
"""

import hashlib
import math
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError
from rest_framework.throttling import SimpleRateThrottle

from config.client_address import client_address

CACHE_ALIAS = "throttles"

# Routes with a budget of their own besides the sign-in's, by URL name (config imports no app).
SYNC_ROUTES = frozenset({"me-sync"})


# KEYS[1]: the window's sorted set; ARGV: now, duration, allowed requests, a member naming this request.
# Returns {1} when counted, {0, the oldest request's time} when refused.
SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return {0, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return {1}
"""
SLIDING_WINDOW_SHA = hashlib.sha1(SLIDING_WINDOW.encode()).hexdigest()


class SettingsRateThrottle(SimpleRateThrottle):
    """DRF's sliding-window throttle, with its rate from settings.THROTTLE_<SCOPE> and an honest Retry-After."""

    @property
    def cache(self):
        return caches[CACHE_ALIAS]

    def allow_request(self, request, view) -> bool:
        if not isinstance(self.cache, RedisCache) or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        # Django's cache key (prefix and version), a name of its own: DRF's pickled lists are another type.
        key = self.cache.make_and_validate_key(f"{self.key}:window")
        client = _redis_client(self.cache, key)
        args = (repr(self.now), self.duration, self.num_requests, f"{self.now!r}:{uuid.uuid4().hex}")
        try:
            answer = client.evalsha(SLIDING_WINDOW_SHA, 1, key, *args)
        except NoScriptError:  # the first call on a server (or after SCRIPT FLUSH) sends the script itself
            answer = client.eval(SLIDING_WINDOW, 1, key, *args)
        if answer[0]:
            return True
        self.history = [float(answer[1])]  # what wait() reads: the oldest request in the window
        return self.throttle_failure()

    def get_rate(self) -> str:
        return getattr(settings, f"THROTTLE_{self.scope.upper()}")

    def get_ident(self, request) -> str:
        return client_address(request) or ""

    def wait(self) -> int:
        """Whole seconds until the oldest request in the window leaves it (DRF's spreads the rest instead)."""
        oldest = self.history[-1] if self.history else self.now
        return max(1, math.ceil(self.duration - (self.now - oldest)))

    def cache_key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


_clients: dict[int, tuple] = {}


def _redis_client(cache: RedisCache, key: str):
    """A Redis client on the cache's own connection pool, made once per pool.

    Django's RedisCache has no public script call, and its get_client makes a new client object at every
    call (the pool, and so the connection, is the same either way).
    """
    pool = cache._cache._get_connection_pool(write=True)
    found = _clients.get(id(pool))
    if found is None or found[0] is not pool:
        found = _clients[id(pool)] = (pool, cache._cache._client(connection_pool=pool))
    return found[1]


class SignedInThrottle(SettingsRateThrottle):
    """Every signed-in request, per sign-in (REST_FRAMEWORK's default)."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        return self.cache_key_for(user.pk) if user is not None and user.is_authenticated else None


class SyncThrottle(SignedInThrottle):
    """A phone's sync, per sign-in, besides SignedInThrottle (REST_FRAMEWORK's default)."""

    scope = "sync"

    def get_cache_key(self, request, view) -> str | None:
        route = getattr(request, "resolver_match", None)
        return super().get_cache_key(request, view) if route is not None and route.url_name in SYNC_ROUTES else None


class AddressThrottle(SettingsRateThrottle):
    """Per client address, whoever the request names: for the endpoints nobody is signed in to."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_key_for(self.get_ident(request))


class ActivationThrottle(AddressThrottle):
    scope = "activation"


class SignInThrottle(AddressThrottle):
    """Across usernames: a lock-out (django-axes) counts one username's failures, this one address's tries."""

    scope = "sign_in"


class RefreshThrottle(AddressThrottle):
    """Refresh and sign-out, one budget: both take a refresh token and nothing else."""

    scope = "refresh"
