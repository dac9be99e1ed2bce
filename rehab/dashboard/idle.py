"""A dashboard session ends after DASHBOARD_IDLE_MINUTES without activity (a screen left open in a clinic room).

Activity is a request the person made. The page's background polls (the top bar's alert count,
sent with `X-Background-Poll: 1`) are not: they neither count as activity nor save the session,
so no new cookie is sent and a screen left open still ends. (Django saves the session only when it
changed, as long as SESSION_SAVE_EVERY_REQUEST stays off.) The API authenticates with tokens and
keeps no session, so it is left alone.

The request whose session ended goes on signed out, with a message: a page's own check sends it
to the sign-in, an htmx request by `HX-Redirect` (rehab.dashboard.access).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout

from config import clock
from config.api.errors import is_api_path

LAST_ACTIVITY_KEY = "dashboard_last_activity"
POLL_HEADER = "X-Background-Poll"


def is_background_poll(request) -> bool:
    return request.headers.get(POLL_HEADER) == "1"


class IdleSessionMiddleware:
    """After the session, authentication and messages middlewares."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request) and SESSION_KEY in request.session:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        now = clock.now().timestamp()
        last = request.session.get(LAST_ACTIVITY_KEY)
        idle_seconds = settings.DASHBOARD_IDLE_MINUTES * 60
        if last is not None and now - last > idle_seconds:
            logout(request)
            messages.info(
                request,
                f"You were signed out after {settings.DASHBOARD_IDLE_MINUTES} minutes without activity. "
                "Sign in again to go on.",
            )
            return
        # A session from before this check (or signed in elsewhere, the admin) starts counting now.
        if last is None or not is_background_poll(request):
            request.session[LAST_ACTIVITY_KEY] = now
