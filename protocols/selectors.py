"""Reading the published protocols."""

from protocols.models import ProtocolVersion


def protocol_version_latest(code: str) -> ProtocolVersion | None:
    return ProtocolVersion.objects.filter(protocol__code=code).select_related("protocol").order_by("-version").first()


def protocol_versions_by_id() -> dict[int, ProtocolVersion]:
    """Every published version (a handful of rows); their parsed definitions are cached per process."""
    return {v.pk: v for v in ProtocolVersion.objects.select_related("protocol")}


def protocol_versions_latest() -> dict[str, ProtocolVersion]:
    """The latest published version of each protocol, by code."""
    latest: dict[str, ProtocolVersion] = {}
    for version in ProtocolVersion.objects.select_related("protocol").order_by("protocol__code", "version"):
        latest[version.protocol.code] = version
    return latest
