"""Serializer building blocks shared by every API module."""

from rest_framework import serializers


class StrictSerializerMixin:
    """Refuses fields it does not declare, with the field named.

    A phone that sends `q8a` instead of `q8` must hear about it rather than
    have the answer silently dropped. The schema says the same
    (`additionalProperties: false`, see config.api.schema), so generated
    clients and schemathesis agree with the server.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "Machine code: validation_error, not_authenticated, permission_denied, not_found, "
            "method_not_allowed, unsupported_media_type, conflict, locked_out, throttled, ..."
        )
    )
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field; nested fields are dotted (`exercises.0.sets`). May be empty.",
    )


class ErrorResponseSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = ErrorDetailSerializer()
