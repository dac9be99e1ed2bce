"""The clinic webhook, exactly as the contract says.

The body is the event's frozen payload serialised deterministically, so every
retry of one event sends the same bytes with the same signature and id.
"""

import hashlib
import hmac
import json
import logging

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from config import clock
from patients.selectors import clinic_admin_emails
from rehab.alerts.channels.base import Channel, PermanentError, TransientError
from rehab.alerts.channels.email import email_send
from rehab.alerts.models import WebhookEndpoint
from rehab.alerts.webhook_urls import webhook_url_validate

logger = logging.getLogger(__name__)


class EndpointRefused(PermanentError):
    """The endpoint itself is unusable (410 Gone, or a URL production refuses): turn it off."""


def event_body(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel(Channel):
    kind = "webhook"

    def send(self, delivery) -> int:
        endpoint = WebhookEndpoint.objects.filter(pk=int(delivery.target)).first()
        if endpoint is None or not endpoint.active:
            raise PermanentError("the clinic's webhook is not active")
        try:
            webhook_url_validate(endpoint.url)  # again at send time: DNS may have changed
        except ValidationError as exc:
            raise EndpointRefused(f"refused URL: {'; '.join(exc.messages)}") from exc
        body = event_body(delivery.event.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "rehab-webhooks/1",
            "X-Rehab-Event-Id": str(delivery.event_id),
            "X-Rehab-Signature": signature(endpoint.secret, body),
        }
        try:
            # No redirects: a 3xx to a private address would undo the URL check.
            response = requests.post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return response.status_code
        if response.status_code == 410:
            raise EndpointRefused("The endpoint answered 410 Gone.", status_code=410)
        raise TransientError(f"the endpoint answered {response.status_code}", status_code=response.status_code)

    def on_permanent_failure(self, delivery, error: PermanentError) -> None:
        if isinstance(error, EndpointRefused):
            webhook_disable(endpoint_id=int(delivery.target), reason=str(error)[:300])


def webhook_disable(*, endpoint_id: int, reason: str) -> bool:
    """Turn the clinic's webhook off and tell its admins by email; once, however many 410s arrive."""
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).update(
            active=False, disabled_reason=reason, disabled_at=clock.now()
        )
        endpoint = WebhookEndpoint.objects.select_related("clinic").get(pk=endpoint_id)
    if changed:
        _tell_admins(endpoint, reason)
    return bool(changed)


def _tell_admins(endpoint: WebhookEndpoint, reason: str) -> None:
    to = clinic_admin_emails([endpoint.clinic_id]).get(endpoint.clinic_id, [])
    if not to:
        logger.warning("webhook of clinic %s disabled and no admin email to tell", endpoint.clinic_id)
        return
    body = (
        f"Alert events to {endpoint.url} were stopped: {reason}\n"
        "Set the webhook again in the clinic settings to receive alerts there."
    )
    try:
        email_send(to=to, subject="Your clinic webhook was disabled", body=body)
    except (TransientError, PermanentError):
        logger.exception("could not email the admins of clinic %s about the disabled webhook", endpoint.clinic_id)
