"""GET /health/: 200 when the database and the broker answer, 503 naming what does not."""

import socket

import pytest

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def dead_port() -> int:
    """A port nothing listens on: bound and released at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_down(monkeypatch):
    # Only broker_url: the write URL follows it. Pinning broker_write_url here
    # would outlive the test and send later tests' tasks to the wrong broker.
    assert celery_app.conf.get("broker_write_url") is None
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{dead_port()}/0")


def test_health_answers_200_when_the_database_and_the_broker_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_naming_the_broker_when_it_does_not_answer(client, broker_down):
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "unavailable"}
    assert body["error"]["code"] == "service_unavailable"
    assert "broker" in body["error"]["message"]
    assert list(body["error"]["fields"]) == ["broker"]


def test_health_needs_no_sign_in_and_takes_only_get(client):
    assert client.post("/health/").status_code == 405
