"""The clinic webhook, exactly as the contract says.

The body is the event's frozen payload serialised deterministically, so every
retry of one event sends the same bytes with the same signature and id.
"""

import hashlib
import hmac
import json
import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from config import clock
from patients.selectors import clinic_admin_emails
from rehab.alerts.channels.base import Channel, PermanentError, TransientError
from rehab.alerts.channels.email import email_send
from rehab.alerts.channels.http import HttpSender
from rehab.alerts.channels.pinning import connecting_to
from rehab.alerts.models import WebhookEndpoint
from rehab.alerts.webhook_urls import webhook_url_validate

logger = logging.getLogger(__name__)


class EndpointRefused(PermanentError):
    """The endpoint itself is unusable (410 Gone, or a URL production refuses): turn it off."""


def event_body(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel(HttpSender, Channel):
    kind = "webhook"
    label = "the endpoint"
    timeout_setting = "WEBHOOK_TIMEOUT_SECONDS"
    # Only a 410 turns the clinic's webhook off; every other failure is retried for a day.
    gone_statuses = (410,)
    gone_error = EndpointRefused

    def send(self, delivery) -> int:
        endpoint = WebhookEndpoint.objects.filter(pk=int(delivery.target)).first()
        if endpoint is None or not endpoint.active:
            raise PermanentError("the clinic's webhook is not active")
        try:
            target = webhook_url_validate(endpoint.url)  # again at send time: DNS may have changed
        except ValidationError as exc:
            raise EndpointRefused(f"refused URL: {'; '.join(exc.messages)}") from exc
        body = event_body(delivery.event.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "rehab-webhooks/1",
            "X-Rehab-Event-Id": str(delivery.event_id),
            "X-Rehab-Signature": signature(endpoint.secret, body),
        }
        # The checked URL object itself, not the stored string parsed again, sent to the
        # addresses the check resolved and approved, not to whatever DNS answers next.
        with connecting_to(target.url.raw_host, target.addresses):
            response = self.post(target.url, content=body, headers=headers)
        return self.raise_for_response(response)

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
