"""The phone app's side of the API tests: a patient on day 9 of conservative care, and API clients."""

from datetime import date

from rest_framework.test import APIClient

from patients.api.serializers import tokens_for
from tests.support.clock import NOW

__all__ = ["NOW", "START", "client_for"]

START = date(2026, 3, 1)  # day 9 on NOW for a London patient


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    return client
