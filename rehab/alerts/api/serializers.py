"""What clinician endpoints take and give. Shapes only: the rules are in services and selectors."""

from rest_framework import serializers

from config.api.serializers import StrictSerializer, TextField
from rehab.alerts.models import Alert


# --- alerts ------------------------------------------------------------------------
class AlertQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Alert.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=Alert.Kind.choices, required=False)
    severity = serializers.ChoiceField(choices=Alert.Severity.choices, required=False)
    patient = serializers.IntegerField(required=False, help_text="A patient id.")


class AlertPatientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


# Who acknowledged: the same reference as the patient's, under its own name in the schema.
class AlertPersonSerializer(AlertPatientSerializer):
    pass


class AlertSerializer(serializers.Serializer):
    """Built from rehab.selectors.alert_payload (the webhook's shape), plus what only the clinic sees."""

    id = serializers.IntegerField()
    patient = AlertPatientSerializer()
    kind = serializers.ChoiceField(choices=Alert.Kind.choices)
    severity = serializers.ChoiceField(choices=Alert.Severity.choices)
    code = serializers.CharField()
    milestone = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    evidence = serializers.DictField()
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Alert.Status.choices)
    acknowledged_by = AlertPersonSerializer(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    resolved_by = AlertPersonSerializer(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    acknowledge_note = serializers.CharField(allow_blank=True)
    resolve_note = serializers.CharField(allow_blank=True)


class AlertNoteSerializer(StrictSerializer):
    note = TextField(required=False, allow_blank=True, default="")


# --- clinic webhook ---------------------------------------------------------------
class WebhookSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True, help_text="Null until the clinic sets one.")
    active = serializers.BooleanField()
    disabled_reason = serializers.CharField(allow_blank=True, help_text="Why delivery stopped (e.g. a 410).")


class WebhookChangeSerializer(StrictSerializer):
    url = TextField(max_length=500, help_text="Where alert events are POSTed.")
    secret = TextField(
        write_only=True,
        required=False,
        min_length=16,
        max_length=200,
        help_text="HMAC-SHA256 key for X-Rehab-Signature; write only. Leave out to keep the stored one.",
    )
    active = serializers.BooleanField(default=True)
    disabled_reason = TextField(
        required=False,
        allow_blank=True,
        help_text="Read only: ignored when sent, so what GET answers can be PUT back as it is.",
    )

    def validate(self, attrs):
        attrs.pop("disabled_reason", None)  # set only by the delivery (a 410), cleared by saving it active
        return attrs
