"""What every channel that speaks HTTP shares: the clinic webhook, FCM and APNs.

One library for all three: httpx. APNs only speaks HTTP/2, which requests
cannot; one `httpx.Client(http2=True)` negotiates HTTP/2 by ALPN where the
server offers it (APNs, FCM) and HTTP/1.1 everywhere else (most clinic
receivers, and plain http in local settings). So a single pool, a single
timeout rule and a single answer-to-error mapping really do serve all three.
Keeping requests for the webhook would have meant two pools and, worse, two
URL parsers: the webhook URL check must parse a URL exactly as the sender
connects to it (rehab.alerts.webhook_urls), and with one library it does.

No retries happen inside a send: the outbox retries with growing delays, and
each attempt is recorded (rehab.alerts.services.delivery).
"""

import os
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from django.conf import settings

from rehab.alerts.channels.base import PermanentError, TransientError
from rehab.alerts.channels.pinning import PinnedTransport

_lock = threading.Lock()
_client: httpx.Client | None = None
_client_pid = 0


def http_client_new(*, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        http2=True,  # for the transports of any proxy the environment names, too
        # A webhook connects to the address its URL check approved (channels.pinning).
        transport=transport or PinnedTransport(http2=True),
        # A redirect would reach a URL the webhook check never saw (a 3xx to a private address).
        follow_redirects=False,
        # Cookies one clinic's receiver sets must never travel with another clinic's events.
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
    )


def http_client() -> httpx.Client:
    """The process's connection pool, made on first use.

    Keyed by process id: a Celery prefork child inherits its parent's memory,
    and two processes writing on one inherited socket would interleave requests.
    httpx.Client itself may be shared between threads.
    """
    global _client, _client_pid
    with _lock:
        if _client is None or _client_pid != os.getpid():
            _client, _client_pid = http_client_new(), os.getpid()
        return _client


class HttpSender:
    """Posts through the shared pool and maps what comes back to delivered, transient or permanent.

    The contract's rule for every HTTP channel: any 2xx is delivery; an answer
    that says the target is gone for good (`gone_statuses`, or a provider's
    reason in the body, `gone_markers`) is a PermanentError of `gone_error`,
    which turns the endpoint or device off; anything else is a TransientError,
    retried. The status code travels with either error to the attempt row.
    """

    label = "the server"
    timeout_setting = "WEBHOOK_TIMEOUT_SECONDS"
    gone_statuses: tuple[int, ...] = (410,)
    gone_markers: tuple[str, ...] = ()
    gone_error: type[PermanentError] = PermanentError

    @property
    def client(self) -> httpx.Client:
        return http_client()

    def post(self, url: httpx.URL | str, **kwargs) -> httpx.Response:
        timeout = getattr(settings, self.timeout_setting)
        try:
            return self.client.post(url, timeout=timeout, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{self.label} did not answer within {timeout:g}s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:  # refused, reset, TLS, protocol
            raise TransientError(f"{self.label} unreachable: {type(exc).__name__}: {exc}") from exc

    def raise_for_response(self, response: httpx.Response) -> int:
        """Return the status code of a delivery; raise for anything else."""
        status = response.status_code
        if response.is_success:
            return status
        said = f"{self.label} answered {status} {response.reason_phrase}".rstrip()
        text = response.text[:300].strip()
        if text:
            said = f"{said}: {text}"
        if status in self.gone_statuses or any(marker in text for marker in self.gone_markers):
            raise self.gone_error(said, status_code=status)
        raise TransientError(said, status_code=status)
