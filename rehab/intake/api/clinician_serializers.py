"""The patient's logs as a clinician reads them: the same shapes the phone gets back."""

from rest_framework import serializers

from rehab.intake.registry import KINDS

# The latest entries of each kind, by sync key (the patient record's `recent_logs`).
RecentLogsSerializer = serializers.SerializerMetaclass(
    "RecentLogsSerializer",
    (serializers.Serializer,),
    {"__module__": __name__, **{key: kind.out_serializer(many=True) for key, kind in KINDS.items()}},
)
