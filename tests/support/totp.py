"""Second factors for tests: enrol a confirmed authenticator for a member of staff, read its current code,
and a Django test client signed in to the dashboard.

A TOTP code works once per 30-second step (django-otp refuses a replay): a test that signs the same
person in twice on a frozen clock moves the clock 30 s between, or uses `backup_codes`.
"""

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import User
from patients.services.second_factor import TOTP_DEVICE_NAME, backup_codes_issue

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def enrol_totp(user: User) -> TOTPDevice:
    """A confirmed authenticator for `user`, as if they had enrolled (replacing any they had)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the authenticator app shows now (the one clock, so frozen_clock moves it), or at `at`."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def current_code(user: User) -> str:
    """The current code of the user's confirmed authenticator."""
    return totp_code(TOTPDevice.objects.get(user=user, confirmed=True))


def backup_codes(user: User) -> list[str]:
    """A fresh set of the user's one-time backup codes."""
    return backup_codes_issue(user=user)


def dashboard_client(user: User, *, password: str = PASSWORD) -> Client:
    """A test client signed in to the dashboard through the real sign-in (and the code step when it applies)."""
    client = Client()
    response = client.post("/sign-in/", {"username": user.get_username(), "password": password})
    assert response.status_code == 302, f"sign-in refused: {response.status_code}"
    if response["Location"].startswith("/sign-in/code/"):
        response = client.post("/sign-in/code/", {"code": current_code(user)})
        assert response.status_code == 302 and not response["Location"].startswith("/sign-in/"), "code refused"
    return client
