"""Reading the published protocols."""

from protocols.models import ProtocolVersion


def protocol_version_latest(code: str) -> ProtocolVersion | None:
    return ProtocolVersion.objects.filter(protocol__code=code).select_related("protocol").order_by("-version").first()
