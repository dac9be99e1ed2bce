"""Push notifications to a patient's phones, through a provider chosen in settings.

PUSH_BACKEND: `console` (logs; the default), `memory` (kept in `outbox` for
tests), `fcm` or `apns` (push_providers, through the shared HTTP pool). A
token the provider says is gone disables the Device, so it is never tried again.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.module_loading import import_string

from config import clock
from patients.models import Device
from rehab.alerts.channels.base import Channel, PermanentError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushMessage:
    token: str
    platform: str
    title: str
    body: str
    data: dict


class ConsolePush:
    def push(self, message: PushMessage) -> None:
        logger.info("push to %s…: %s — %s", message.token[:8], message.title, message.body)


# What the memory backend "sent", and tokens it treats as unregistered.
outbox: list[PushMessage] = []
unregistered_tokens: set[str] = set()


class MemoryPush:
    def push(self, message: PushMessage) -> None:
        if message.token in unregistered_tokens:
            raise PermanentError("token unregistered", status_code=410)
        outbox.append(message)


BACKENDS = {
    "console": "rehab.alerts.channels.push.ConsolePush",
    "memory": "rehab.alerts.channels.push.MemoryPush",
    "fcm": "rehab.alerts.channels.push_providers.FcmPush",
    "apns": "rehab.alerts.channels.push_providers.ApnsPush",
}


def push_provider():
    return import_string(BACKENDS.get(settings.PUSH_BACKEND, settings.PUSH_BACKEND))()


class PushChannel(Channel):
    kind = "push"

    # A reminder hours late is noise: give up well before the next one.
    retry_for = timedelta(hours=2)

    def send(self, delivery) -> int | None:
        device = Device.objects.filter(token=delivery.target, disabled_at__isnull=True).first()
        if device is None:
            raise PermanentError("the device was removed or disabled")
        reminder = delivery.reminder
        return push_provider().push(
            PushMessage(
                token=device.token,
                platform=device.platform,
                title=reminder.title,
                body=reminder.body,
                data={"reminder": reminder.pk, "kind": reminder.kind, "slot": reminder.slot},
            )
        )

    def on_permanent_failure(self, delivery, error: PermanentError) -> None:
        Device.objects.filter(token=delivery.target, disabled_at__isnull=True).update(
            disabled_at=clock.now(), disabled_reason=str(error)[:300]
        )
