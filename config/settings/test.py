"""Tests run against the real PostgreSQL and Redis of the machine.

DATABASE_URL / REDIS_URL override the defaults, so two test runs on one machine
can use separate databases.
"""

import environ

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, INSTALLED_APPS, SIMPLE_JWT, STATIC_ROOT, VAR_DIR, postgresql_tuned

env = environ.Env()

# Development only: the cohort simulator (simulate_cohort). Production settings and the image leave it out.
INSTALLED_APPS = [*INSTALLED_APPS, "rehab.devtools"]

VAR_DIR.mkdir(exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it

# At least 32 bytes: PyJWT warns about shorter HMAC keys.
SECRET_KEY = "test-only-not-a-secret-long-enough-for-hmac-sha256"
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/rehab")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"] = postgresql_tuned(DATABASES["default"])  # production's backend and prepared statements
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# A worker in a fault test is killed on purpose; a short visibility timeout
# (set in its environment) makes Redis hand its unacknowledged task on quickly.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "test",
    },
    # The rate limits stay on at their defaults, counted per process so each test starts from none
    # (tests/conftest.py empties it) without flushing the Redis database the broker shares.
    "throttles": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttles"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PUSH_BACKEND = "memory"
WEBHOOK_ALLOW_PRIVATE = True
