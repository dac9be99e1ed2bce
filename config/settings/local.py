"""Developer machine: debug on, an insecure key that is only ever used locally."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, SECRET_KEY, SIMPLE_JWT, VAR_DIR

# Development only: the cohort simulator (simulate_cohort). Production settings and the image leave it out.
INSTALLED_APPS = [*INSTALLED_APPS, "rehab.devtools"]

VAR_DIR.mkdir(exist_ok=True)
for _sub in ("broker/out", "broker/processed", "broker/control", "cache"):
    (VAR_DIR / _sub).mkdir(parents=True, exist_ok=True)

DEBUG = True
SECRET_KEY = SECRET_KEY or "local-development-only-not-a-secret"
SIMPLE_JWT["SIGNING_KEY"] = SIMPLE_JWT["SIGNING_KEY"] or SECRET_KEY
