"""The phone app's bodies that are not one log kind's: the `since` query and the sync batch.

The sync batch has one list per log kind, named by the registry's sync keys,
so a kind added to the registry is in the batch and its answer at once.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import InstantField, StrictSerializer
from rehab.intake.registry import KINDS
from rehab.intake.serializers import AdviceSerializer

SYNC_BATCH_MAX = 500


def _per_kind(name: str, base: type[serializers.Serializer], field) -> type[serializers.Serializer]:
    """A serializer with one `field(key)` per log kind, by sync key, in the registry's order."""
    fields = {key: field(key) for key in KINDS}
    return serializers.SerializerMetaclass(name, (base,), {"__module__": __name__, **fields})


class SinceQuerySerializer(serializers.Serializer):
    since = InstantField(required=False, help_text="Only entries the server received after this instant.")


_ITEMS_HELP = "Items as for the single endpoint; each is validated and answered on its own."


@extend_schema_field(OpenApiTypes.OBJECT)
class _Item(serializers.Field):
    """One item of a kind's list, taken as it came: its kind's serializer validates it, on its own.

    DRF's DictField would copy the item through a field per value first, only to hand the same values on.
    """

    default_error_messages = {"not_an_object": 'Expected an object but got type "{input_type}".'}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object", input_type=type(data).__name__)
        return data


def _items(key: str):
    return serializers.ListField(child=_Item(), required=False, max_length=SYNC_BATCH_MAX, help_text=_ITEMS_HELP)


SyncInSerializer = _per_kind("SyncInSerializer", StrictSerializer, _items)


class SyncItemResultSerializer(serializers.Serializer):
    client_id = serializers.CharField(allow_null=True, help_text="As sent; null when the item had none.")
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "invalid"])
    id = serializers.IntegerField(allow_null=True, help_text="The stored record (created or duplicate).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Per field, for invalid and conflict."
    )


_STORED_ONLY = " Null unless the item is created or duplicate."

# What a sync result repeats of its single endpoint's answer, by sync key: (the answer's field, its
# schema). It is what the app shows at once (a red flag's advice, a load to reduce), which a phone
# that was offline must not have to fetch again.
SYNC_ANSWERS = {
    "exercise_logs": (
        "load_advice",
        lambda: serializers.CharField(
            allow_null=True, help_text="As POST /me/exercise-logs/ answers it." + _STORED_ONLY
        ),
    ),
    "symptom_reports": (
        "advice",
        lambda: AdviceSerializer(allow_null=True, help_text="As POST /me/symptom-reports/ answers it." + _STORED_ONLY),
    ),
}


class SyncAnswerResultSerializer(SyncItemResultSerializer):
    """A sync result that repeats part of its single endpoint's answer (SYNC_ANSWERS)."""


class SyncAnswerResultExtension(OpenApiSerializerExtension):
    """The schema says such a result is a SyncItemResult and its answer (allOf), so the two cannot drift apart."""

    target_class = SyncAnswerResultSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        base = auto_schema.resolve_serializer(SyncItemResultSerializer, direction).ref
        answer = [name for name in schema["properties"] if name not in SyncItemResultSerializer._declared_fields]
        properties = {name: schema["properties"][name] for name in answer}
        return {"allOf": [base, {"type": "object", "properties": properties, "required": answer}]}


def _result_serializer(key: str) -> type[serializers.Serializer]:
    if key not in SYNC_ANSWERS:
        return SyncItemResultSerializer
    field, schema = SYNC_ANSWERS[key]
    name = f"{KINDS[key].model.__name__}SyncResultSerializer"
    return serializers.SerializerMetaclass(
        name, (SyncAnswerResultSerializer,), {"__module__": __name__, field: schema()}
    )


def _results(key: str):
    return serializers.ListField(child=_result_serializer(key)(), required=False)


SyncResultsSerializer = _per_kind("SyncResultsSerializer", serializers.Serializer, _results)


class SyncOutSerializer(serializers.Serializer):
    results = SyncResultsSerializer(help_text="One list per kind sent, one result per item in the order sent.")
