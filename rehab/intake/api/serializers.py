"""The phone app's bodies that are not one log kind's: the `since` query and the sync batch.

The sync batch has one list per log kind, named by the registry's sync keys,
so a kind added to the registry is in the batch and its answer at once.
"""

from rest_framework import serializers

from config.api.serializers import InstantField, StrictSerializer
from rehab.intake.registry import KINDS

SYNC_BATCH_MAX = 500


def _per_kind(name: str, base: type[serializers.Serializer], field) -> type[serializers.Serializer]:
    """A serializer with one `field()` per log kind, by sync key, in the registry's order."""
    return serializers.SerializerMetaclass(name, (base,), {"__module__": __name__, **{key: field() for key in KINDS}})


class SinceQuerySerializer(serializers.Serializer):
    since = InstantField(required=False, help_text="Only entries the server received after this instant.")


_ITEMS_HELP = "Items as for the single endpoint; each is validated and answered on its own."


def _items():
    return serializers.ListField(
        child=serializers.DictField(), required=False, max_length=SYNC_BATCH_MAX, help_text=_ITEMS_HELP
    )


SyncInSerializer = _per_kind("SyncInSerializer", StrictSerializer, _items)


class SyncItemResultSerializer(serializers.Serializer):
    client_id = serializers.CharField(allow_null=True, help_text="As sent; null when the item had none.")
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "invalid"])
    id = serializers.IntegerField(allow_null=True, help_text="The stored record (created or duplicate).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Per field, for invalid and conflict."
    )


def _results():
    return serializers.ListField(child=SyncItemResultSerializer(), required=False)


SyncResultsSerializer = _per_kind("SyncResultsSerializer", serializers.Serializer, _results)


class SyncOutSerializer(serializers.Serializer):
    results = SyncResultsSerializer(help_text="One list per kind sent, one result per item in the order sent.")
