from rest_framework import serializers

from rehab.care.api.serializers import PersonSerializer


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=["fhir", "json"],
        default="fhir",
        help_text="`fhir`: a FHIR R4 Bundle (application/fhir+json); `json`: the contract's JSON shapes.",
    )


class ErasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="patient_id", help_text="The patient's id, kept as the pseudonym's.")
    display_name = serializers.CharField(source="patient.display_name", help_text='"Erased patient #<id>".')
    erased_at = serializers.DateTimeField()
    erased_by = PersonSerializer(allow_null=True)
