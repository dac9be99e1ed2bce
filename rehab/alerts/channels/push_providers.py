"""FCM (HTTP v1) and APNs (HTTP/2, token auth) adapters, configured from settings.

Never used by the tests: they run the memory backend. Credentials come only
from the environment (settings FCM_* / APNS_*).
"""

import json
import time

import httpx
import jwt
from django.conf import settings

from rehab.alerts.channels.base import PermanentError, TransientError

_TOKEN_LIFETIME = 50 * 60  # both providers accept tokens for an hour; renew before


class _CachedToken:
    def __init__(self):
        self.value, self.made_at = "", 0.0

    def get(self, make) -> str:
        if not self.value or time.time() - self.made_at > _TOKEN_LIFETIME:
            self.value, self.made_at = make(), time.time()
        return self.value


def _raise_for(response: httpx.Response, gone_markers: tuple[str, ...]) -> None:
    if response.is_success:
        return
    text = response.text[:300]
    if response.status_code in (404, 410) or any(marker in text for marker in gone_markers):
        raise PermanentError(f"token no longer valid: {text}", status_code=response.status_code)
    if response.status_code in (429,) or response.status_code >= 500:
        raise TransientError(f"provider answered {response.status_code}", status_code=response.status_code)
    raise PermanentError(f"provider refused: {response.status_code} {text}", status_code=response.status_code)


class FcmPush:
    """Firebase Cloud Messaging HTTP v1 with a service account (settings.FCM_SERVICE_ACCOUNT_JSON)."""

    _token = _CachedToken()

    def _access_token(self) -> str:
        account = json.loads(settings.FCM_SERVICE_ACCOUNT_JSON)
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": account["client_email"],
                "scope": "https://www.googleapis.com/auth/firebase.messaging",
                "aud": account["token_uri"],
                "iat": now,
                "exp": now + 3600,
            },
            account["private_key"],
            algorithm="RS256",
        )
        response = httpx.post(
            account["token_uri"],
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            timeout=settings.PUSH_TIMEOUT_SECONDS,
        )
        _raise_for(response, ())
        return response.json()["access_token"]

    def push(self, message) -> int:
        project = json.loads(settings.FCM_SERVICE_ACCOUNT_JSON)["project_id"]
        body = {
            "message": {
                "token": message.token,
                "notification": {"title": message.title, "body": message.body},
                "data": {k: str(v) for k, v in message.data.items()},
            }
        }
        try:
            response = httpx.post(
                f"https://fcm.googleapis.com/v1/projects/{project}/messages:send",
                json=body,
                headers={"Authorization": f"Bearer {self._token.get(self._access_token)}"},
                timeout=settings.PUSH_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"FCM: {exc!r}") from exc
        _raise_for(response, ("UNREGISTERED", "INVALID_ARGUMENT"))
        return response.status_code


class ApnsPush:
    """Apple Push Notification service over HTTP/2 with a .p8 signing key (settings.APNS_*)."""

    _token = _CachedToken()

    def _provider_token(self) -> str:
        return jwt.encode(
            {"iss": settings.APNS_TEAM_ID, "iat": int(time.time())},
            settings.APNS_PRIVATE_KEY,
            algorithm="ES256",
            headers={"kid": settings.APNS_KEY_ID},
        )

    def push(self, message) -> int:
        payload = {"aps": {"alert": {"title": message.title, "body": message.body}}, **message.data}
        headers = {
            "authorization": f"bearer {self._token.get(self._provider_token)}",
            "apns-topic": settings.APNS_TOPIC,
            "apns-push-type": "alert",
        }
        try:
            with httpx.Client(http2=True, timeout=settings.PUSH_TIMEOUT_SECONDS) as client:
                response = client.post(f"{settings.APNS_URL}/3/device/{message.token}", json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientError(f"APNs: {exc!r}") from exc
        _raise_for(response, ("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic"))
        return response.status_code
