"""The client's address: X-Forwarded-For is read only through trusted proxies, for lock-out, throttles and audit."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from rest_framework.test import APIClient

from config.client_address import client_address
from patients.models import AuditEntry
from tests.support.patient_api import client_for

PROXY = "10.0.0.2"
CLIENT = "203.0.113.9"


def address(xff: str | None = None, remote: str = PROXY) -> str | None:
    headers = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored():
    assert address(f"{CLIENT}") == PROXY


def test_through_one_trusted_hop_the_address_it_saw_is_the_clients(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(CLIENT) == CLIENT


def test_a_spoofed_leftmost_entry_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(f"198.51.100.66, {CLIENT}") == CLIENT


def test_two_trusted_hops_read_the_entry_the_outer_proxy_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address(f"198.51.100.66, {CLIENT}, 10.0.0.7") == CLIENT


def test_a_request_with_fewer_hops_than_trusted_is_the_farthest_one_seen(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address("") == PROXY
    assert address(CLIENT) == CLIENT


def test_trusted_networks_skip_every_proxy_of_theirs_and_stop_at_the_first_other_address(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert address(f"198.51.100.66, {CLIENT}, 10.1.2.3, fd00::1") == CLIENT


def test_a_connection_from_outside_the_trusted_networks_is_the_client_whatever_it_forwards(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    assert address(f"10.9.9.9, {CLIENT}", remote="198.51.100.66") == "198.51.100.66"


def test_an_entry_that_is_no_address_stops_the_walk_at_the_proxy_that_wrote_it(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address(f"{CLIENT}, unknown, 10.0.0.7") == "10.0.0.7"


def test_ports_and_brackets_a_proxy_may_add_are_dropped(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(f"{CLIENT}:51234") == CLIENT
    assert address("[2001:db8::1]:443") == "2001:db8::1"


def test_an_address_is_written_one_way(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("2001:DB8:0:0::1") == "2001:db8::1"


# --- who uses it ---------------------------------------------------------------------------------------------
def sign_in(password: str, xff: str):
    body = {"username": "alice", "password": password}
    return APIClient().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_new_forwarded_address_per_attempt_does_not_escape_the_lock_out(physio):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong", f"198.51.100.{attempt}")
    assert sign_in("correct-horse-battery", "198.51.100.200").status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_lock_out_is_the_clients_not_everyone_behind_the_proxy(physio, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong", "198.51.100.1")
    assert sign_in("correct-horse-battery", "198.51.100.1").status_code == 429
    assert sign_in("correct-horse-battery", CLIENT).status_code == 200


@pytest.mark.django_db
def test_the_audit_trail_keeps_the_clients_address(physio, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client_for(physio).get("/api/v1/patients/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.66, {CLIENT}")
    assert AuditEntry.objects.get(actor=physio).ip_address == CLIENT
