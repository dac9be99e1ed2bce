"""The middlewares of the pages a browser signs in to, which a request to the API goes past.

The dashboard and the admin sign in with a session cookie, so they need sessions, CSRF, the staff's
second factor, htmx, flash messages and the idle timeout. The API signs in with a token and keeps no
session: for its requests those middlewares only cost time (0.17-0.22 ms of CPU per request,
about a tenth of a phone's new entry; bench/README.md). Without a session there is nothing a forged
cross-site request could ride on, which is why the API needs no CSRF check either.

Django runs every middleware of MIDDLEWARE on every request. So BROWSER_MIDDLEWARE's middlewares
are built here as a chain of their own, below this one, in the same way Django builds its chain.
Their `process_view` hooks, CSRF's check among them, run from this middleware's own hook. The test
client loads the same MIDDLEWARE as a server does, so the tests run the chain that production runs.

The checks that Django's admin and security make of these middlewares look for them in MIDDLEWARE,
so they are silenced in settings and made again here, on BROWSER_MIDDLEWARE's exact dotted paths
(Django's admin checks also accept a subclass; name a subclass here too if one replaces them). They are
registered by the operators' admin app (config.apps), which every setting installs.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

# Django's own checks look for these in MIDDLEWARE (admin.E408-E410, security.W003, silenced in
# settings), and skip the CSRF cookie's deploy check (security.W016) when CSRF is not there.
# config.E001 (browser_middleware_check) and csrf_cookie_check make them where the middlewares now are.
BROWSER_NEEDS = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)


def _is_api(request: HttpRequest) -> bool:
    # The path URLs resolve on: without SCRIPT_NAME, which a proxy may set.
    return request.path_info.startswith("/api/")


class BrowserOnlyMiddleware:
    """BROWSER_MIDDLEWARE's chain for every request but the API's, which goes straight on."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._view_hooks = []
        handler = get_response  # already wrapped by Django, as every middleware's next step is
        for path in reversed(settings.BROWSER_MIDDLEWARE):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_exception") or hasattr(middleware, "process_template_response"):
                # Not needed by any of them so far; Django's order for these hooks would have to be kept too.
                raise ImproperlyConfigured(f"{path}: BROWSER_MIDDLEWARE passes on process_view hooks only")
            if hasattr(middleware, "process_view"):
                self._view_hooks.insert(0, middleware.process_view)
            handler = convert_exception_to_response(middleware)
        self._browser_chain = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request):
            return self.get_response(request)
        return self._browser_chain(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if _is_api(request):
            return None
        for hook in self._view_hooks:
            response = hook(request, view, args, kwargs)
            if response is not None:
                return response
        return None


def browser_middleware_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The admin's checks of its middlewares, and Django's of CSRF, made where they now are."""
    chain = "config.browser.BrowserOnlyMiddleware" in settings.MIDDLEWARE
    return [
        checks.Error(f"{path} must be in BROWSER_MIDDLEWARE, with config.browser.BrowserOnlyMiddleware "
                     "in MIDDLEWARE: the dashboard and the admin need it.", id="config.E001")
        for path in BROWSER_NEEDS
        if not chain or path not in settings.BROWSER_MIDDLEWARE
    ]  # fmt: skip


def csrf_cookie_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """security.W016, which Django makes only when CSRF's middleware is in MIDDLEWARE."""
    from django.core.checks.security.csrf import W016

    return [] if settings.CSRF_USE_SESSIONS or settings.CSRF_COOKIE_SECURE is True else [W016]
