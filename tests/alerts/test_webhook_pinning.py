"""The webhook connects to the address its URL check approved, not to what DNS says a moment later.

DNS is faked (socket.getaddrinfo), and so is the internet: a connection to a
public address is refused at the socket (tests/alerts/test_webhook_urls.py uses
the same fake resolver). Receivers listen on 127.0.0.1.
"""

import socket
import threading

import httpx
import pytest

from rehab.alerts.channels.http import http_client_new
from rehab.alerts.channels.pinning import PinnedTransport, connecting_to
from rehab.alerts.models import Delivery, WebhookEndpoint
from rehab.alerts.services.alerts import alert_raise
from rehab.alerts.services.delivery import delivery_sweep
from tests.alerts.tls import TlsReceiver
from tests.factories import PatientFactory
from tests.support.receiver import Receiver

PUBLIC_ADDRESS = "93.184.215.14"
HOST = "hooks.clinic.example"


class RebindingDns:
    """Answers `first` for HOST the first time it is asked, `then` every time after."""

    def __init__(self, first: str, then: str):
        self.answers, self.then, self.asked = [first], then, 0

    def __call__(self, host, port, *args, **kwargs):
        if host != HOST:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.asked += 1
        address = self.answers.pop(0) if self.answers else self.then
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


@pytest.fixture
def connections(monkeypatch) -> list:
    """Every address a socket was opened to; the internet (any public IP) refuses."""
    opened = []

    def create_connection(address, *args, **kwargs):
        opened.append(address)
        host = address[0]
        try:
            is_public_ip = not socket.inet_aton(host).startswith(b"\x7f")
        except OSError:  # a name: resolved by getaddrinfo, the fake DNS
            is_public_ip = False
        if is_public_ip:
            raise ConnectionRefusedError(f"no internet in the tests ({host})")
        return _real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


class Listener:
    """A bare TCP port on 127.0.0.1 that counts who connects (TLS or not)."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while True:
            try:
                peer, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            peer.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.socket.close()


def urgent_alert_to(url: str) -> None:
    patient = PatientFactory()
    WebhookEndpoint.objects.create(clinic=patient.clinic, url=url, secret="s")
    alert_raise(patient=patient, code="red_flag_same_day", reason="r", evidence={})


@pytest.mark.django_db
def test_dns_that_turns_to_loopback_after_the_send_time_check_cannot_reach_a_local_receiver(
    settings, monkeypatch, connections
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    dns = RebindingDns(first=PUBLIC_ADDRESS, then="127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    with Listener() as local:
        urgent_alert_to(f"https://{HOST}:{local.port}/hooks/rehab")
        delivery_sweep()
    assert local.accepted == 0
    assert connections == [(PUBLIC_ADDRESS, local.port)]  # the address the check approved, and only it
    assert dns.asked == 1  # resolved once, for the check and the connection alike
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and "ConnectError" in delivery.last_error  # retried later, checked again


@pytest.mark.django_db
def test_a_name_that_resolves_to_loopback_by_send_time_is_refused_before_any_connection(
    settings, monkeypatch, connections
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    # Saved while the name was public (not checked here); loopback by the time the event goes out.
    monkeypatch.setattr(socket, "getaddrinfo", RebindingDns(first="127.0.0.1", then="127.0.0.1"))
    with Listener() as local:
        urgent_alert_to(f"https://{HOST}:{local.port}/hooks/rehab")
        delivery_sweep()
    assert local.accepted == 0 and connections == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "loopback, private or reserved" in delivery.last_error


@pytest.mark.django_db
def test_a_local_receiver_under_local_settings_still_receives_the_event_with_the_urls_host(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        urgent_alert_to(receiver.url)
        delivery_sweep()
    [request] = receiver.requests
    assert request["headers"]["Host"] == receiver.url.split("/")[2]
    assert Delivery.objects.get().status == "delivered"


def test_a_pinned_connection_goes_to_the_pinned_address_and_carries_the_urls_host(monkeypatch, connections):
    def no_dns(host, *args, **kwargs):
        if host == HOST:
            raise socket.gaierror(f"the pinned connection must not resolve {host}")
        return _real_getaddrinfo(host, *args, **kwargs)  # an IP literal: no DNS

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with Receiver() as receiver, http_client_new() as client:
        port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
        with connecting_to(HOST, ("127.0.0.1",)):
            answer = client.post(f"http://{HOST}:{port}/hooks/rehab", content=b"{}")
    assert answer.status_code == 200
    assert connections == [("127.0.0.1", port)]
    assert receiver.requests[0]["headers"]["Host"] == f"{HOST}:{port}"


def test_a_pin_for_one_host_lets_no_other_host_connect():
    with http_client_new() as client, connecting_to(HOST, ("127.0.0.1",)), pytest.raises(httpx.ConnectError):
        client.post("http://another.clinic.example/hooks", content=b"{}")


def trusting(receiver: TlsReceiver) -> httpx.Client:
    """The backend's client, trusting only the receiver's CA (where production trusts certifi's)."""
    return http_client_new(transport=PinnedTransport(verify=receiver.client_context()))


def test_https_to_a_pinned_address_verifies_the_certificate_of_the_urls_host_and_sends_it_as_sni():
    with TlsReceiver(HOST) as receiver, trusting(receiver) as client, connecting_to(HOST, ("127.0.0.1",)):
        answer = client.post(f"https://{HOST}:{receiver.port}/hooks/rehab", content=b"{}")
    assert answer.status_code == 200
    assert receiver.sni_names == [HOST]
    assert receiver.hosts == [f"{HOST}:{receiver.port}"]


def test_https_to_a_pinned_address_refuses_a_certificate_for_another_name():
    pinned, refused = connecting_to(HOST, ("127.0.0.1",)), pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY")
    with TlsReceiver("elsewhere.example") as receiver, trusting(receiver) as client, pinned, refused:
        client.post(f"https://{HOST}:{receiver.port}/hooks/rehab", content=b"{}")
    assert receiver.hosts == []
