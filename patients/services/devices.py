"""Push devices: a phone's token, keyed by the token itself."""

from django.db import IntegrityError, transaction

from config import clock
from patients.models import Device, Patient


@transaction.atomic
def device_register(*, patient: Patient, platform: str, token: str) -> tuple[Device, bool]:
    """Register a push token; returns (device, created).

    The same token again is the same device: it is attached to this patient
    (a phone handed over, or signed in again) and enabled again, since the app
    only registers a token the push service just gave it.
    """
    now = clock.now()
    device = Device.objects.select_for_update().filter(token=token).first()
    if device is None:
        try:
            with transaction.atomic():
                return Device.objects.create(patient=patient, platform=platform, token=token, last_seen_at=now), True
        except IntegrityError:  # registered at the same moment by a racing request
            device = Device.objects.select_for_update().get(token=token)
    device.patient = patient
    device.platform = platform
    device.last_seen_at = now
    device.disabled_at = None
    device.disabled_reason = ""
    device.save(update_fields=["patient", "platform", "last_seen_at", "disabled_at", "disabled_reason"])
    return device, False


def device_remove(*, patient: Patient, token: str) -> bool:
    """Forget a push token (sign-out); only the patient's own. Returns whether one was removed."""
    deleted, _ = Device.objects.filter(patient=patient, token=token).delete()
    return bool(deleted)
