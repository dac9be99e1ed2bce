from functools import cached_property

from django.db import models

from protocols.definition import ProtocolDefinition, definition_from_dict


class Protocol(models.Model):
    class Care(models.TextChoices):
        CONSERVATIVE = "conservative"
        POST_SURGICAL = "post_surgical"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    care = models.CharField(max_length=20, choices=Care.choices)

    def __str__(self) -> str:
        return self.code

    def current_version(self) -> "ProtocolVersion":
        return self.versions.order_by("-version").first()


class ProtocolVersion(models.Model):
    """One published version of a protocol: the whole definition as data.

    `document` is the definition file as loaded (JSON); `definition` is it parsed
    (protocols.definition.ProtocolDefinition), which is what the rules read.
    A version is never edited once published; a change is a new version, so
    patients enrolled on the old one keep the timeline they started with.
    """

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    document = models.JSONField(db_column="definition")
    checksum = models.CharField(max_length=64, help_text="sha256 of the definition as loaded")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["protocol", "version"], name="protocol_version_unique")]
        ordering = ["protocol__code", "version"]

    def __str__(self) -> str:
        return f"{self.protocol.code} v{self.version}"

    @cached_property
    def definition(self) -> ProtocolDefinition:
        return definition_for(self.pk, self.checksum, self.document)


_DEFINITIONS: dict[tuple[int, str], ProtocolDefinition] = {}


def definition_for(version_id: int, checksum: str, data: dict) -> ProtocolDefinition:
    """Parsed definitions are immutable, so one parse per process is enough."""
    key = (version_id, checksum)
    definition = _DEFINITIONS.get(key)
    if definition is None:
        definition = _DEFINITIONS[key] = definition_from_dict(data)
    return definition
