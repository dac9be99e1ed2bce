"""A web sign-in half done: the password passed, the second factor (or its enrolment) not yet.

Nobody is signed in until the second factor passes: the session holds only whose password was
right, where they were going, and when, so a code step left open expires. Django's login()
runs at the end, once (rehab.dashboard.auth.views), and the session key changes then.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest

from config import clock
from patients.models import User

PENDING_KEY = "dashboard_pending_sign_in"
# Long enough to open the authenticator app, or to scan a QR code and type the first code.
PENDING_MINUTES = 10


def pending_start(request: HttpRequest, *, user: User, backend: str, next_url: str) -> None:
    request.session.cycle_key()  # a new key once the password is right: nothing carried from before
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": backend,
        "next": next_url,
        "at": clock.now().timestamp(),
    }


def pending_from_session(request: HttpRequest) -> tuple[User, dict] | None:
    """The staff member whose password passed and who still owes a code, or None (none, expired, disabled)."""
    state = request.session.get(PENDING_KEY)
    if not state:
        return None
    if clock.now().timestamp() - state["at"] > timedelta(minutes=PENDING_MINUTES).total_seconds():
        pending_clear(request)
        return None
    user = User.objects.filter(pk=state["user_id"], is_active=True).select_related("clinic").first()
    if user is None or not user.is_clinician:
        pending_clear(request)
        return None
    return user, state


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_restart(request: HttpRequest, *, next_url: str) -> None:
    """A signed-in session that owes the second factor (the clinic began to require it, a device was
    reset) goes back to the code step: signed out, with only the password step kept."""
    user = User.objects.get(pk=request.user.pk)
    backend = request.session.get(BACKEND_SESSION_KEY, settings.AUTHENTICATION_BACKENDS[-1])
    logout(request)
    pending_start(request, user=user, backend=backend, next_url=next_url)
