"""The phone app's request and response bodies.

Request serializers are strict (unknown fields and wrong JSON types are a
400 naming the field) and describe exactly what the schema promises; rules
that need the patient or the clock live in rehab.services.logs.
"""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import DateField, StrictSerializer, TextField
from protocols.definition import SYMPTOMS, TIERS, WEIGHT_BEARING
from protocols.library import shipped_protocol_codes
from protocols.models import Protocol
from rehab.care.models import Milestone


class PlanQuerySerializer(serializers.Serializer):
    date = DateField(required=False, help_text="Local date; default the patient's today.")


class PlanProtocolSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()


class PlanPhaseSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class PlanExerciseSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    sets = serializers.IntegerField()
    reps = serializers.IntegerField()
    times_per_day = serializers.IntegerField()
    instructions = serializers.CharField(allow_blank=True)


class PlanMilestoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()


class PlanSerializer(serializers.Serializer):
    date = serializers.DateField()
    day = serializers.IntegerField(help_text="Whole days since the enrolment's start (day 0).")
    protocol = PlanProtocolSerializer()
    phase = PlanPhaseSerializer()
    heel_lift_cm = serializers.FloatField(allow_null=True)
    boot = serializers.BooleanField()
    plantar_flexion_deg = serializers.FloatField(allow_null=True)
    weight_bearing = serializers.ChoiceField(choices=WEIGHT_BEARING)
    exercises = PlanExerciseSerializer(many=True)
    avoid = serializers.ListField(child=serializers.CharField())
    care = serializers.ListField(child=serializers.CharField(), help_text="Care instructions for the day.")
    next_milestone = PlanMilestoneSerializer(allow_null=True)


class RedFlagRowSerializer(serializers.Serializer):
    symptom = serializers.ChoiceField(choices=SYMPTOMS)
    care = serializers.ChoiceField(choices=Protocol.Care.choices)
    tier = serializers.ChoiceField(choices=TIERS)
    advice = serializers.CharField()


class RedFlagTableSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True, help_text="Always null: the table comes in one page.")
    previous = serializers.CharField(allow_null=True, help_text="Always null.")
    care = serializers.ChoiceField(
        choices=Protocol.Care.choices, allow_null=True, help_text="The care that applies to the caller now."
    )
    results = RedFlagRowSerializer(many=True)


# Dates a clinician enters (a start, a planned or past event): 1900-2099. Far-off years are typos, and
# the bound keeps timeline arithmetic inside what a date can hold; the schema says it with a pattern.
CARE_DATE = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


@extend_schema_field({"type": "string", "format": "date", "pattern": CARE_DATE})
class CareDateField(serializers.DateField):
    def to_internal_value(self, value):
        if isinstance(value, str) and not re.fullmatch(CARE_DATE, value):
            self.fail("invalid", format="YYYY-MM-DD from 1900 to 2099")
        return super().to_internal_value(value)


class ProtocolCodeField(serializers.ChoiceField):
    """A published protocol's code, read from the shipped definition files (no query, even for the schema)."""

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)

    @property
    def choices(self) -> dict:
        return {code: code for code in shipped_protocol_codes()}

    @choices.setter
    def choices(self, value) -> None:
        pass

    @property
    def grouped_choices(self) -> dict:
        return self.choices

    @property
    def choice_strings_to_values(self) -> dict:
        return self.choices


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return user.display_name or user.username


class MilestoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    status = serializers.ChoiceField(choices=Milestone.Status.choices)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = PersonSerializer(allow_null=True, help_text="Null when decided automatically.")
    note = serializers.CharField(allow_blank=True)


class EnrollmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    protocol = serializers.CharField(source="protocol_version.protocol.code")
    protocol_version = serializers.IntegerField(source="protocol_version.version")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    current = serializers.BooleanField(source="is_current", default=False)
    milestones = MilestoneSerializer(many=True, source="milestones.all")


class EnrollmentStartSerializer(StrictSerializer):
    protocol = ProtocolCodeField(help_text="Protocol code; its latest version is used.")
    start_date = CareDateField(help_text="Day 0: the day of surgery for a post-surgical protocol.")
    reason = TextField(max_length=300, required=False, allow_blank=True, default="")
