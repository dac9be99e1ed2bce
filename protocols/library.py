"""Loads the shipped protocol definition files into the database.

Each file is one published version. Loading is idempotent; a file whose
content differs from the version already stored is refused, because editing a
published version would silently move the timelines of enrolled patients.
"""

import functools
import hashlib
import json
from pathlib import Path

import yaml
from django.db import transaction

from protocols.definition import definition_from_dict

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


class PublishedVersionChanged(RuntimeError):
    pass


def definition_files() -> list[Path]:
    return sorted(DEFINITIONS_DIR.glob("*.yaml"))


def read_definition(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    definition_from_dict(data)  # refuse a malformed file before it is stored
    return data


def checksum_of(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def protocol_library_sync(*, using: str = "default", paths: list[Path] | None = None) -> list[str]:
    """Publish every definition file not yet stored; return what was published."""
    from protocols.models import Protocol, ProtocolVersion

    published = []
    with transaction.atomic(using=using):
        for path in paths or definition_files():
            data = read_definition(path)
            protocol, _ = Protocol.objects.using(using).update_or_create(
                code=data["code"], defaults={"name": data["name"], "care": data["care"]}
            )
            checksum = checksum_of(data)
            existing = ProtocolVersion.objects.using(using).filter(protocol=protocol, version=data["version"]).first()
            if existing is None:
                ProtocolVersion.objects.using(using).create(
                    protocol=protocol, version=data["version"], document=data, checksum=checksum
                )
                published.append(f"{protocol.code} v{data['version']}")
            elif existing.checksum != checksum:
                raise PublishedVersionChanged(
                    f"{path.name}: {protocol.code} v{data['version']} is already published with other content; "
                    "publish the change as a new version instead"
                )
    return published


@functools.cache
def shipped_protocol_codes() -> tuple[str, ...]:
    """The protocol codes the definition files publish: known without a database (API schema, input checks)."""
    return tuple(sorted({read_definition(path)["code"] for path in definition_files()}))
