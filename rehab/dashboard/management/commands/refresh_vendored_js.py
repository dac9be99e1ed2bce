"""`manage.py refresh_vendored_js`: fetch the pinned chart scripts from the npm registry into static files.

Clinics run closed networks, so the dashboard serves Chart.js, its annotation
plugin and its date adapter itself rather than from a CDN. This command is the
one way those files change: it downloads each pinned version's tarball,
checks it against the registry's sha512 integrity, and writes the one built
file the pages load plus the package's licence and a VERSION file. Bump a pin
here, run it, look at the charts, commit the result.
"""

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parents[2] / "static" / "dashboard" / "vendor"
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Pinned:
    name: str
    version: str
    built: str  # the file inside the tarball the pages load
    licence: str = "package/LICENSE.md"


PINNED = (
    Pinned("chart.js", "4.6.1", "package/dist/chart.umd.min.js"),
    Pinned("chartjs-plugin-annotation", "3.1.0", "package/dist/chartjs-plugin-annotation.min.js"),
    # The bundle carries date-fns itself: one file, no module loader.
    Pinned("chartjs-adapter-date-fns", "3.0.0", "package/dist/chartjs-adapter-date-fns.bundle.min.js"),
)


class Command(BaseCommand):
    help = "Download the pinned Chart.js, annotation plugin and date adapter into the dashboard's static files."

    def add_arguments(self, parser):
        parser.add_argument("--registry", default=REGISTRY, help="An npm registry (a mirror inside the network).")

    def handle(self, *args, registry: str, **options):
        for pinned in PINNED:
            written = vendor(pinned, registry=registry.rstrip("/"))
            self.stdout.write(f"{pinned.name} {pinned.version}: {', '.join(written)}")


def vendor(pinned: Pinned, *, registry: str) -> list[str]:
    meta = _json(f"{registry}/{pinned.name}/{pinned.version}")
    tarball = _bytes(meta["dist"]["tarball"])
    _check_integrity(pinned, tarball, meta["dist"].get("integrity", ""))
    folder = VENDOR / pinned.name
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        files = {pinned.built: Path(pinned.built).name, pinned.licence: "LICENSE.md"}
        # A source map the script names comes along: collectstatic's manifest refuses a reference to a
        # file that is not there, and it lets a clinic's developer read the script in the browser.
        source_map = f"{pinned.built}.map"
        if source_map in archive.getnames():
            files[source_map] = Path(source_map).name
        for member, target in files.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                raise CommandError(f"{pinned.name} {pinned.version} has no {member}")
            (folder / target).write_bytes(extracted.read())
    (folder / "VERSION").write_text(f"{pinned.name} {pinned.version} ({meta.get('license', 'see LICENSE.md')})\n")
    return [*files.values(), "VERSION"]


def _check_integrity(pinned: Pinned, tarball: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise CommandError(f"{pinned.name} {pinned.version}: no sha512 integrity to check against")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise CommandError(f"{pinned.name} {pinned.version}: the tarball does not match its integrity")


def _bytes(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
        return answer.read()


def _json(url: str) -> dict:
    return json.loads(_bytes(url))
