"""Where messages leave the backend: one small class per channel (healthchecks' transports).

Each has one `send(delivery)` that returns the remote status code (or None)
and raises TransientError (try again later) or PermanentError (never again;
`on_permanent_failure` then disables the device or endpoint). Nothing here
runs inside a database transaction.
"""

from rehab.alerts.channels.base import Channel, PermanentError, TransientError
from rehab.alerts.channels.email import EmailChannel
from rehab.alerts.channels.push import PushChannel
from rehab.alerts.channels.webhook import WebhookChannel

CHANNELS: dict[str, type[Channel]] = {
    WebhookChannel.kind: WebhookChannel,
    EmailChannel.kind: EmailChannel,
    PushChannel.kind: PushChannel,
}


def channel_for(kind: str) -> Channel:
    return CHANNELS[kind]()


__all__ = ["CHANNELS", "Channel", "PermanentError", "TransientError", "channel_for"]
