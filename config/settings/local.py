"""Developer machine: debug on, an insecure key that is only ever used locally."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, SIMPLE_JWT, VAR_DIR

VAR_DIR.mkdir(exist_ok=True)
for _sub in ("broker/out", "broker/processed", "broker/control", "cache"):
    (VAR_DIR / _sub).mkdir(parents=True, exist_ok=True)

DEBUG = True
SECRET_KEY = SECRET_KEY or "local-development-only-not-a-secret"
SIMPLE_JWT["SIGNING_KEY"] = SIMPLE_JWT["SIGNING_KEY"] or SECRET_KEY
