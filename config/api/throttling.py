"""Rate limits: 429 `throttled` with Retry-After, before anyone hammers, guesses codes or sprays passwords.

Signed-in requests count per sign-in (THROTTLE_USER), and a phone's sync, the heaviest request,
also against its own budget (THROTTLE_SYNC). Only the endpoints nobody is signed in to count per
address (activation, sign-in, refresh and sign-out), since a whole clinic activating its patients
may sit behind one address: the address is config.client_address's, the one the lock-out uses.

Each rate is read from settings.THROTTLE_<SCOPE> at every request, so the environment and a
test's settings override both reach it (DRF's own classes read their rates once, at import). The
counts live in the "throttles" cache: Redis wherever REDIS_URL is set, shared by every worker.
The schema documents the 429 of every throttled operation (config.api.throttled_schema).
"""

import math

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from config.client_address import client_address

CACHE_ALIAS = "throttles"

# Routes with a budget of their own besides the sign-in's, by URL name (config imports no app).
SYNC_ROUTES = frozenset({"me-sync"})


class SettingsRateThrottle(SimpleRateThrottle):
    """DRF's sliding-window throttle, with its rate from settings.THROTTLE_<SCOPE> and an honest Retry-After."""

    @property
    def cache(self):
        return caches[CACHE_ALIAS]

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
