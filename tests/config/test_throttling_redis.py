"""Rate limits counted in Redis, as in production: one script call per request, the same sliding window as DRF's.

The other throttling tests count per process (the test settings' cache); these point the "throttles"
alias at Redis, where a request is counted by a script on the server.
"""

from datetime import timedelta

import pytest
from django.core.cache import caches

from tests.config.test_throttling import assert_throttled
from tests.support.clock import NOW
from tests.support.patient_api import client_for

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def redis_throttles(settings):
    location = settings.CACHES["default"]["LOCATION"]
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location, "KEY_PREFIX": "test-rl"}
    # Through pytest-django's `settings`, as the tests' own changes are, so that every override is undone
    # in the order it was made (an override_settings block here was undone before theirs, and theirs then
    # put this one back for the rest of the session).
    settings.CACHES = {**settings.CACHES, "throttles": redis}
    caches["throttles"].clear()
    yield caches["throttles"]
    caches["throttles"].clear()


def test_a_sign_in_over_its_limit_is_throttled_until_the_window_moves(redis_throttles, physio, frozen_clock, settings):
    settings.THROTTLE_USER = "3/min"
    hammer = client_for(physio)
    for _ in range(3):
        assert hammer.get("/api/v1/me/").status_code == 200
    assert_throttled(hammer.get("/api/v1/me/"), retry_after=60)
    frozen_clock.move_to(NOW + timedelta(seconds=45))
    assert_throttled(hammer.get("/api/v1/me/"), retry_after=15)  # refused requests are not counted
    frozen_clock.move_to(NOW + timedelta(seconds=60))
    assert hammer.get("/api/v1/me/").status_code == 200


def test_each_sign_in_has_its_own_window_and_sync_its_own_budget(
    redis_throttles, patient, physio, frozen_clock, settings
):
    settings.THROTTLE_USER, settings.THROTTLE_SYNC = "3/min", "1/min"
    phone = client_for(patient.user)
    assert phone.post("/api/v1/me/sync/", {}, format="json").status_code == 200
    assert_throttled(phone.post("/api/v1/me/sync/", {}, format="json"), retry_after=60)
    assert client_for(physio).get("/api/v1/me/").status_code == 200
    assert phone.get("/api/v1/me/").status_code == 200
    assert_throttled(phone.get("/api/v1/me/"), retry_after=60)


def test_the_window_lives_in_redis_for_as_long_as_the_rate_s_duration(redis_throttles, physio, frozen_clock):
    client_for(physio).get("/api/v1/me/")
    client = redis_throttles._cache.get_client(write=False)
    [key] = [k for k in client.keys("test-rl:*") if k.endswith(b":window")]
    assert client.zcard(key) == 1 and 0 < client.ttl(key) <= 60
