"""A serializer's answer for a record, written without DRF's per-field machinery.

The phone's newest page writes 20 records, and DRF spends 60-100 µs on each:
for every field a call to find the attribute (checking whether it is a
callable), the None check, and the field's own representation, instants
through the current zone. `quick_writer(serializer)` does the same steps with
each field's own settings worked out once, and the current zone looked up once
for all the records written: an aware instant is moved into the field's zone
(its own, or the current one) and written in ISO 8601 with `Z` for UTC as DRF
writes it, and any other goes through the field's own `enforce_timezone`; a
field of any other kind writes itself (`to_representation`). So the
answer is the serializer's, key for key and value for value; a differential
test over every log kind's answer holds it to that.

A serializer whose fields it cannot read as plain attributes (a dotted or `*`
source other than a method field's, a custom `to_representation`) gets None:
its caller keeps the serializer.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def quick_writer(serializer: serializers.Serializer) -> Callable[[Sequence[Model]], list[dict]] | None:
    """A function of records: what serializer.to_representation answers for each. None where it cannot help."""
    if type(serializer).to_representation is not serializers.Serializer.to_representation:
        return None
    steps = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField):
            steps.append((name, None, getattr(serializer, field.method_name)))
            continue
        if len(field.source_attrs) != 1 or isinstance(field, serializers.RelatedField):
            return None  # a dotted or whole-record source, or a relation (DRF reads only its key): DRF's own
        steps.append((name, field.source_attrs[0], _writer_of(field)))

    def write_one(record: Model, zone) -> dict:
        answer = {}
        for name, attribute, writer in steps:
            if attribute is None:
                answer[name] = writer(record)  # a method field is given the record itself
                continue
            value = getattr(record, attribute)
            if callable(value) and not isinstance(value, Model):
                return serializer.to_representation(record)  # a method as a source: DRF's own rules
            if value is None:
                answer[name] = None
            elif isinstance(writer, _Instant):
                answer[name] = writer(value, zone)
            else:
                answer[name] = writer(value)
        return answer

    def write(records: Sequence[Model]) -> list[dict]:
        # DRF's default_timezone() for every instant of every record: the same zone for all of them.
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        return [write_one(record, zone) for record in records]

    return write


def _writer_of(field) -> Callable:
    kind = type(field)
    if kind is serializers.IntegerField:
        return int
    if kind is serializers.CharField:
        return str
    if kind is serializers.UUIDField and field.uuid_format == "hex_verbose":
        return str
    if _writes_iso_8601(field, serializers.DateTimeField, api_settings.DATETIME_FORMAT):
        return _Instant(field)
    if _writes_iso_8601(field, serializers.DateField, api_settings.DATE_FORMAT):
        return _date(field)
    return field.to_representation


def _writes_iso_8601(field, base: type, default_format) -> bool:
    """A date or instant field that writes DRF's ISO 8601 by DRF's own steps (none of them a subclass's)."""
    output = getattr(field, "format", default_format)
    steps = ("to_representation", "enforce_timezone", "default_timezone") if base is serializers.DateTimeField else ()
    own = isinstance(field, base) and all(
        getattr(type(field), step) is getattr(base, step) for step in ("to_representation", *steps)
    )
    return own and isinstance(output, str) and output.lower() == ISO_8601


class _Instant:
    """DRF's DateTimeField.to_representation, given the current zone (read once per call of the writer)."""

    def __init__(self, field):
        self.enforce_timezone = field.enforce_timezone
        self.own_zone = hasattr(field, "timezone")  # DRF's test: a field's own zone wins over the current one
        self.field_zone = getattr(field, "timezone", None)

    def __call__(self, value, current_zone):
        if not value or isinstance(value, str):
            return value or None  # DRF: a false value is None, a string is written as it is
        zone = self.field_zone if self.own_zone else current_zone
        if zone is not None and value.utcoffset() is not None:
            try:
                value = value.astimezone(zone)  # enforce_timezone's step for an aware instant
            except OverflowError:
                value = self.enforce_timezone(value)  # its own refusal
        else:
            value = self.enforce_timezone(value)  # naive, or no zone: every other step is DRF's
        written = value.isoformat()
        return written[:-6] + "Z" if written.endswith("+00:00") else written


def _date(field):
    def write(value):
        if not value or isinstance(value, str):
            return value or None
        if isinstance(value, datetime):
            return field.to_representation(value)  # DRF refuses a datetime here: its own refusal
        return value.isoformat()

    return write
