"""What clinician endpoints take and give. Shapes only: the rules are in services and selectors."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from config.api.serializers import StrictSerializer, TextField
from rehab.care.api.serializers import CareDateField, PersonSerializer
from rehab.care.models import ClinicalEvent
from rehab.rules.services.clinical_events import DETAILS


class OutcomeSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=["met", "not_met", "bridge"])
    note = TextField(required=False, allow_blank=True, default="", help_text="Required to override.")


class ClinicalEventSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ClinicalEvent.Kind.choices)
    date = CareDateField(help_text="Planned events may be in the future.")
    details = serializers.DictField(
        required=False,
        default=dict,
        help_text=(
            "imaging: `modality` (radiograph, bone_scan), optional `ho_maturity` (immature, mature); "
            "corticosteroid_injection: `site` (achilles, heel, other, unknown); other kinds: none."
        ),
    )
    note = TextField(required=False, allow_blank=True, default="")
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


def _details_serializer(kind: str, name: str) -> type[StrictSerializer]:
    """The schema of one kind's `details`, from the service's own table (rehab.services.clinical_events.DETAILS)."""
    fields = {
        key: serializers.ChoiceField(choices=[str(v) for v in values], required=required, allow_null=not required)
        for key, (values, required) in DETAILS.get(kind, {}).items()
    }
    return type(name, (StrictSerializer,), fields)


# Plain strings, not enum members: the YAML schema renderer cannot represent those.
_IMAGING_KIND, _INJECTION_KIND = ClinicalEvent.Kind.IMAGING.value, ClinicalEvent.Kind.CORTICOSTEROID_INJECTION.value


_OTHER_KINDS = tuple(str(k) for k in ClinicalEvent.Kind.values if k not in DETAILS)


_NO_DETAILS = _details_serializer(_OTHER_KINDS[0], "OtherDetails")  # one component for every kind without details


def _event_in_serializer(kind: str, name: str) -> type[StrictSerializer]:
    details = _details_serializer(kind, name.replace("EventIn", "Details")) if kind in DETAILS else _NO_DETAILS
    needs_details = any(required for _, required in DETAILS.get(kind, {}).values())
    fields = {
        "kind": serializers.ChoiceField(choices=[kind]),
        "date": CareDateField(help_text="Planned events may be in the future."),
        "details": details(required=needs_details),
        "note": TextField(required=False, allow_blank=True),
    }
    return type(name, (StrictSerializer,), fields)


# The request body as documented: one shape per kind, chosen by `kind`. The view validates with
# ClinicalEventSerializer and the service checks `details` against the same table. A shape of its
# own for every kind, even where shapes are alike: with a discriminator that maps several kinds to one
# shape, schemathesis took all but one of them for kinds outside the schema.
CLINICAL_EVENT_REQUEST = PolymorphicProxySerializer(
    component_name="ClinicalEventIn",
    serializers={
        _IMAGING_KIND: _event_in_serializer(_IMAGING_KIND, "ImagingEventIn"),
        _INJECTION_KIND: _event_in_serializer(_INJECTION_KIND, "InjectionEventIn"),
        **{kind: _event_in_serializer(kind, f"{kind.title().replace('_', '')}EventIn") for kind in _OTHER_KINDS},
    },
    resource_type_field_name="kind",
)
