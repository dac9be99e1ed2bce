import pytest
from django.test import Client

from tests.support.totp import enrol_totp


@pytest.fixture
def web():
    """A browser with no session yet (Django's test client; CSRF is checked by the browser tests)."""
    return Client()


@pytest.fixture
def physio_device(physio):
    """Alice's confirmed authenticator."""
    return enrol_totp(physio)
