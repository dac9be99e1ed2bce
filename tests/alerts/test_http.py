"""The HTTP base the webhook, FCM and APNs share: one pool per process, one answer-to-error mapping.

The answers come from a real receiver on 127.0.0.1 (tests/support/receiver.py),
or, for what the pool itself does, from an httpx mock transport.
"""

import os
import socket

import httpx
import pytest

from rehab.alerts.channels import PermanentError, TransientError
from rehab.alerts.channels.http import http_client, http_client_new
from rehab.alerts.channels.push_providers import ApnsPush, FcmPush
from rehab.alerts.channels.webhook import EndpointRefused, WebhookChannel
from tests.support.receiver import Receiver


def webhook_post(receiver: Receiver) -> int:
    channel = WebhookChannel()
    return channel.raise_for_response(channel.post(receiver.url, content=b"{}"))


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_webhook_fcm_and_apns_share_one_connection_pool():
    pool = http_client()
    assert WebhookChannel().client is pool
    assert FcmPush().client is pool
    assert ApnsPush().client is pool
    assert http_client() is pool  # not one per send


def test_a_forked_worker_process_makes_its_own_pool():
    parent_pool = http_client()
    pid = os.fork()
    if pid == 0:  # the child: a Celery prefork worker, say
        own = http_client()
        os._exit(0 if own is not parent_pool and http_client() is own else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert http_client() is parent_pool


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_delivery_and_its_status_is_kept(status):
    with Receiver(statuses=[status]) as receiver:
        assert webhook_post(receiver) == status
    assert len(receiver.requests) == 1


def test_a_410_is_a_permanent_refusal_that_disables_the_webhook_with_its_status():
    with Receiver(statuses=[410]) as receiver, pytest.raises(EndpointRefused) as gone:
        webhook_post(receiver)
    assert gone.value.status_code == 410 and "410" in str(gone.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429])
def test_any_other_4xx_is_retried_with_its_status(status):
    with Receiver(statuses=[status]) as receiver, pytest.raises(TransientError) as failed:
        webhook_post(receiver)
    assert not isinstance(failed.value, PermanentError)
    assert failed.value.status_code == status


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_is_retried_with_its_status(status):
    with Receiver(statuses=[status]) as receiver, pytest.raises(TransientError) as failed:
        webhook_post(receiver)
    assert failed.value.status_code == status and str(status) in str(failed.value)


def test_an_endpoint_slower_than_the_webhook_timeout_is_retried(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    with Receiver(delay=1.0) as receiver, pytest.raises(TransientError) as slow:
        webhook_post(receiver)
    assert slow.value.status_code is None and "within 0.2s" in str(slow.value)


def test_push_providers_wait_for_the_push_timeout_not_the_webhook_one(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 30.0
    settings.PUSH_TIMEOUT_SECONDS = 0.2
    with Receiver(delay=1.0) as receiver, pytest.raises(TransientError) as slow:
        ApnsPush().post(receiver.url, json={})
    assert "APNs did not answer within 0.2s" in str(slow.value)


def test_a_refused_connection_is_retried():
    with pytest.raises(TransientError) as refused:
        WebhookChannel().post(f"http://127.0.0.1:{a_closed_port()}/hooks/rehab", content=b"{}")
    assert refused.value.status_code is None and "ConnectError" in str(refused.value)


def test_the_pool_follows_no_redirect_so_a_3xx_cannot_lead_past_the_url_check():
    seen = []

    def answer(request):
        seen.append(str(request.url))
        return httpx.Response(307, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    with http_client_new(transport=httpx.MockTransport(answer)) as client:
        response = client.post("https://hooks.clinic.example/rehab", content=b"{}")
    assert seen == ["https://hooks.clinic.example/rehab"]
    with pytest.raises(TransientError) as moved:
        WebhookChannel().raise_for_response(response)
    assert moved.value.status_code == 307


def test_a_cookie_one_receiver_sets_is_never_sent_with_a_later_event():
    cookies_sent = []

    def answer(request):
        cookies_sent.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"Set-Cookie": "session=clinic-a; Path=/"})

    with http_client_new(transport=httpx.MockTransport(answer)) as client:
        client.post("https://hooks.integrator.example/clinic-a", content=b"{}")
        client.post("https://hooks.integrator.example/clinic-b", content=b"{}")
    assert cookies_sent == [None, None]
