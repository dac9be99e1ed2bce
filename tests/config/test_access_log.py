"""The access logs name the path, never the query string: `?search=` carries patients' names."""

import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import yaml
from gunicorn.config import Config

from config.access_log import GunicornLogger, RunserverQueryFilter

ROOT = Path(__file__).resolve().parent.parent.parent

ENVIRON = {
    "REQUEST_METHOD": "GET",
    "RAW_URI": "/api/v1/patients/?search=Ruth+Adams&ordering=-day",
    "PATH_INFO": "/api/v1/patients/",
    "QUERY_STRING": "search=Ruth+Adams&ordering=-day",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "203.0.113.7",
    "HTTP_REFERER": "https://clinic.example/dashboard/?search=Ruth+Adams",
    "HTTP_USER_AGENT": "test-agent",
}


def access_line(logger: GunicornLogger, cfg: Config) -> str:
    request = SimpleNamespace(
        headers=[("HOST", "api.example"), ("REFERER", ENVIRON["HTTP_REFERER"]), ("USER-AGENT", "test-agent")]
    )
    response = SimpleNamespace(status="200 OK", sent=123, headers=[("Location", "/next/?search=Ruth+Adams")])
    atoms = logger.atoms_wrapper_class(logger.atoms(response, request, dict(ENVIRON), timedelta(milliseconds=5)))
    return cfg.access_log_format % atoms


def test_gunicorns_access_line_has_the_path_without_the_query_string():
    cfg = Config()
    line = access_line(GunicornLogger(cfg), cfg)
    assert '"GET /api/v1/patients/ HTTP/1.1" 200 123' in line
    assert '"https://clinic.example/dashboard/"' in line  # the referer, without its query either
    assert "Ruth" not in line and "search" not in line


def test_no_atom_of_a_custom_access_log_format_carries_the_query_string():
    cfg = Config()
    cfg.set(
        "access_log_format", "%(r)s %(U)s %(q)s %(f)s %({referer}i)s %({location}o)s %({raw_uri}e)s %({query_string}e)s"
    )
    line = access_line(GunicornLogger(cfg), cfg)
    assert "Ruth" not in line and "search" not in line
    assert "/api/v1/patients/" in line


def test_gunicorns_error_line_for_a_request_has_the_path_without_the_query_string(caplog):
    logger = GunicornLogger(Config())
    logger.error_log.propagate = True
    with caplog.at_level(logging.ERROR, logger="gunicorn.error"):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("Error handling request %s", ENVIRON["RAW_URI"])
    assert "Error handling request /api/v1/patients/" in caplog.text
    assert "Ruth" not in caplog.text


def test_the_development_servers_request_line_has_the_path_without_the_query_string():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /api/v1/patients/?search=Ruth HTTP/1.1", "200", "9"),
        None,
    )
    assert RunserverQueryFilter().filter(record)
    assert record.getMessage() == '"GET /api/v1/patients/ HTTP/1.1" 200 9'


def shipped_gunicorn_commands() -> dict[str, list[str]]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return {
        "Dockerfile": json.loads(cmd.removeprefix("CMD ")),
        "docker-compose web": compose["services"]["web"]["command"],
    }


def test_the_shipped_gunicorn_commands_use_the_logger_without_query_strings():
    for where, command in shipped_gunicorn_commands().items():
        assert command[0] == "gunicorn", where
        assert "--logger-class" in command, where
        assert command[command.index("--logger-class") + 1] == "config.access_log.GunicornLogger", where


def test_the_development_servers_logger_has_the_filter():
    assert any(isinstance(f, RunserverQueryFilter) for f in logging.getLogger("django.server").filters)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_images_gunicorn_logs_a_search_without_the_name(tmp_path):
    command = shipped_gunicorn_commands()["Dockerfile"]
    port = free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    log = tmp_path / "access.log"
    command[command.index("--access-logfile") + 1] = str(log)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    server = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "error.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/patients/?search=Ruth+Adams", headers={"Host": "127.0.0.1"})
                status = conn.getresponse().status
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 401
        while "/api/v1/patients/" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    line = log.read_text()
    assert '"GET /api/v1/patients/ HTTP/1.1" 401' in line
    assert "Ruth" not in line and "search" not in line
