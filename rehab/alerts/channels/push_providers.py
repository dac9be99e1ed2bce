"""FCM (HTTP v1) and APNs (HTTP/2, token auth) adapters, configured from settings.

The tests run the memory backend for reminders; these are tested against
mocked HTTP transports. Credentials come only from the environment (settings
FCM_* / APNS_*). Both post through the process's one pool (channels.http).
"""

import functools
import json
import time

import jwt
from django.conf import settings

from rehab.alerts.channels.http import HttpSender

_TOKEN_LIFETIME = 50 * 60  # both providers accept tokens for an hour; renew before


class _CachedToken:
    def __init__(self):
        self.value, self.made_at = "", 0.0

    def get(self, make) -> str:
        if not self.value or time.time() - self.made_at > _TOKEN_LIFETIME:
            self.value, self.made_at = make(), time.time()
        return self.value


@functools.lru_cache(maxsize=1)
def _service_account(raw: str) -> dict:
    """The service account, parsed once per process (keyed on the setting's text, so a changed one is read)."""
    return json.loads(raw)


class _GoogleTokenExchange(HttpSender):
    """Google's OAuth endpoint. No answer of its own says a patient's phone is gone: it is all retried."""

    label = "Google's token endpoint"
    timeout_setting = "PUSH_TIMEOUT_SECONDS"
    gone_statuses = ()


class FcmPush(HttpSender):
    """Firebase Cloud Messaging HTTP v1 with a service account (settings.FCM_SERVICE_ACCOUNT_JSON)."""

    label = "FCM"
    timeout_setting = "PUSH_TIMEOUT_SECONDS"
    # A token FCM no longer knows; any other refusal (a bad credential, a quota) is not the phone's fault.
    gone_statuses = (404, 410)
    gone_markers = ("UNREGISTERED", "INVALID_ARGUMENT")
    send_url = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"

    _token = _CachedToken()
    _token_exchange = _GoogleTokenExchange()

    @property
    def account(self) -> dict:
        return _service_account(settings.FCM_SERVICE_ACCOUNT_JSON)

    def _access_token(self) -> str:
        account = self.account
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
        exchange = self._token_exchange
        response = exchange.post(
            account["token_uri"],
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        )
        exchange.raise_for_response(response)
        return response.json()["access_token"]

    def push(self, message) -> int:
        body = {
            "message": {
                "token": message.token,
                "notification": {"title": message.title, "body": message.body},
                "data": {k: str(v) for k, v in message.data.items()},
            }
        }
        response = self.post(
            self.send_url.format(project=self.account["project_id"]),
            json=body,
            headers={"Authorization": f"Bearer {self._token.get(self._access_token)}"},
        )
        return self.raise_for_response(response)


class ApnsPush(HttpSender):
    """Apple Push Notification service over HTTP/2 with a .p8 signing key (settings.APNS_*).

    Apple asks providers to keep their connection open rather than open one per
    notification; the shared pool does, and multiplexes pushes over it.
    """

    label = "APNs"
    timeout_setting = "PUSH_TIMEOUT_SECONDS"
    gone_statuses = (410,)
    gone_markers = ("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic")

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
        response = self.post(f"{settings.APNS_URL}/3/device/{message.token}", json=payload, headers=headers)
        return self.raise_for_response(response)
