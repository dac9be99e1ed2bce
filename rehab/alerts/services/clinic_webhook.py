"""A clinic admin's webhook settings: where the clinic's alert events go, signed with its secret."""

from django.core.exceptions import ValidationError
from django.db import transaction

from config.errors import FieldErrors
from patients.models import Clinic
from rehab.alerts.models import WebhookEndpoint
from rehab.alerts.webhook_urls import webhook_url_validate


class WebhookInvalid(FieldErrors):
    """The URL or secret a clinic admin gave, refused per field."""


@transaction.atomic
def webhook_settings_save(*, clinic: Clinic, url: str, active: bool, secret: str | None = None) -> WebhookEndpoint:
    """Create or replace the clinic's endpoint. The secret may be left out to keep the stored one.

    Saving it active again clears a 410's `disabled_reason`: the admin has fixed the receiver.
    """
    errors: dict[str, list[str]] = {}
    try:
        webhook_url_validate(url)
    except ValidationError as exc:
        errors["url"] = list(exc.messages)
    endpoint = WebhookEndpoint.objects.select_for_update().filter(clinic=clinic).first()
    if not secret and (endpoint is None or not endpoint.secret):
        errors["secret"] = ["A secret is required for a new webhook."]
    if errors:
        raise WebhookInvalid(errors)
    endpoint = endpoint or WebhookEndpoint(clinic=clinic)
    endpoint.url = url
    endpoint.active = active
    if secret:
        endpoint.secret = secret
    if active:
        endpoint.disabled_reason = ""
        endpoint.disabled_at = None
    endpoint.save()
    return endpoint
