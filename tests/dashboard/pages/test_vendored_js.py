"""The chart scripts are served by us (no CDN), with licence and version, and refreshed from the npm registry."""

import base64
import hashlib
import io
import json
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rehab.dashboard.management.commands import refresh_vendored_js as command

VENDOR = Path(command.__file__).resolve().parents[2] / "static" / "dashboard" / "vendor"


def test_each_pinned_package_is_vendored_with_its_licence_and_version():
    for pinned in command.PINNED:
        folder = VENDOR / pinned.name
        assert (folder / Path(pinned.built).name).stat().st_size > 10_000
        assert "MIT" in (folder / "LICENSE.md").read_text()
        assert (folder / "VERSION").read_text().startswith(f"{pinned.name} {pinned.version} ")
    assert command.PINNED[0].version.startswith("4.")  # Chart.js 4


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A registry on localhost serving one package, and the vendor folder moved to a temporary one."""
    pinned = command.Pinned("chart.js", "4.0.0", "package/dist/chart.umd.min.js")
    tarball = _tarball({"package/dist/chart.umd.min.js": b"/* chart */", "package/LICENSE.md": b"MIT licence"})
    served = {"integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/chart.js/4.0.0":
                body = json.dumps(
                    {"license": "MIT", "dist": {"tarball": f"{base}/chart.js-4.0.0.tgz", **served}}
                ).encode()
            elif self.path == "/chart.js-4.0.0.tgz":
                body = tarball
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(command, "VENDOR", tmp_path)
    monkeypatch.setattr(command, "PINNED", (pinned,))
    yield base, served
    server.shutdown()


def test_the_command_writes_the_built_file_licence_and_version(registry, tmp_path):
    base, _ = registry
    out = io.StringIO()
    call_command("refresh_vendored_js", registry=base, stdout=out)
    assert (tmp_path / "chart.js" / "chart.umd.min.js").read_bytes() == b"/* chart */"
    assert (tmp_path / "chart.js" / "LICENSE.md").read_text() == "MIT licence"
    assert (tmp_path / "chart.js" / "VERSION").read_text() == "chart.js 4.0.0 (MIT)\n"
    assert "chart.js 4.0.0: chart.umd.min.js, LICENSE.md, VERSION" in out.getvalue()


def test_a_tarball_that_does_not_match_its_integrity_is_refused(registry, tmp_path):
    base, served = registry
    served["integrity"] = "sha512-" + base64.b64encode(hashlib.sha512(b"something else").digest()).decode()
    with pytest.raises(CommandError, match="does not match its integrity"):
        call_command("refresh_vendored_js", registry=base, stdout=io.StringIO())
    assert not (tmp_path / "chart.js").exists()
