"""What clinician endpoints take and give. Shapes only: the rules are in services and selectors."""

import re

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from config.api.serializers import StrictSerializer, TextField
from patients.api.serializers import TIMEZONES
from patients.models import Patient, User
from protocols.library import shipped_protocol_codes
from rehab.api.clinician.log_serializers import RecentLogsSerializer
from rehab.models import Alert, ClinicalEvent, Milestone
from rehab.selectors.dashboard import ORDERING_FIELDS
from rehab.services.clinical_events import DETAILS

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


# --- dashboard ---------------------------------------------------------------
class DashboardQuerySerializer(serializers.Serializer):
    search = TextField(required=False, allow_blank=True, help_text="Part of the display name.")
    # allow_null: from a query string, DRF reads a missing boolean as false; absent must mean "no filter".
    has_open_alerts = serializers.BooleanField(
        required=False, allow_null=True, help_text="`true`: only patients with open alerts; `false`: only without."
    )
    phase = TextField(required=False, allow_blank=True, help_text="A phase code of any protocol.")
    status = serializers.ChoiceField(choices=Patient.Status.choices, required=False)
    ordering = serializers.ChoiceField(
        choices=[f"{sign}{name}" for name in ORDERING_FIELDS for sign in ("", "-")],
        required=False,
        help_text="Prefix `-` to reverse. Empty values sort last either way.",
    )


class LatestPainSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()


class DatedMilestoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()


class DashboardRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    status = serializers.ChoiceField(choices=Patient.Status.choices)
    protocol = serializers.CharField(allow_null=True, help_text="Code of the current enrolment's protocol.")
    day = serializers.IntegerField(allow_null=True, help_text="Whole days since the current enrolment's start.")
    phase = serializers.CharField(allow_null=True)
    latest_pain = LatestPainSerializer(allow_null=True)
    pain_7d_mean = serializers.FloatField(allow_null=True)
    baseline_pain = serializers.FloatField(allow_null=True)
    visa_a_latest = serializers.IntegerField(allow_null=True)
    visa_a_baseline = serializers.IntegerField(allow_null=True)
    adherence_7d = serializers.FloatField(allow_null=True, min_value=0, max_value=1)
    last_log_at = serializers.DateTimeField(allow_null=True)
    open_alerts = serializers.IntegerField()
    next_milestone = DatedMilestoneSerializer(allow_null=True)


# --- patient record ------------------------------------------------------------
class BiomechanicsSerializer(StrictSerializer):
    forefoot_varus = serializers.BooleanField(required=False)
    heel_varus = serializers.BooleanField(required=False)
    pes_planus = serializers.BooleanField(required=False)
    overpronation = serializers.BooleanField(required=False)


class ExerciseOverrideSerializer(StrictSerializer):
    exercise = serializers.SlugField(max_length=80)
    sets = serializers.IntegerField(min_value=1, max_value=20)
    reps = serializers.IntegerField(min_value=1, max_value=100)
    times_per_day = serializers.IntegerField(min_value=1, max_value=10)


class PatientChangeSerializer(StrictSerializer):
    """PATCH: every field optional; only what is sent changes."""

    display_name = TextField(max_length=200)
    timezone = serializers.ChoiceField(choices=TIMEZONES, help_text="IANA zone.")
    assigned_physio = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, help_text="A physio of the same clinic."
    )
    comorbidities = serializers.ListField(child=serializers.ChoiceField(choices=Patient.Comorbidity.choices))
    biomechanics = BiomechanicsSerializer()
    exercise_overrides = ExerciseOverrideSerializer(many=True)
    status = serializers.ChoiceField(choices=Patient.Status.choices, help_text="`discharged` stops all reminders.")


class PatientCreateSerializer(StrictSerializer):
    display_name = TextField(max_length=200)
    timezone = serializers.ChoiceField(choices=TIMEZONES, help_text="IANA zone.")
    side = serializers.ChoiceField(choices=Patient.Side.choices)
    condition = serializers.ChoiceField(choices=Patient.Condition.choices)
    protocol = ProtocolCodeField(help_text="Protocol code; its latest version is used.")
    start_date = CareDateField(help_text="Day 0.")
    assigned_physio = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="A physio of the same clinic."
    )
    comorbidities = serializers.ListField(
        child=serializers.ChoiceField(choices=Patient.Comorbidity.choices), required=False
    )
    biomechanics = BiomechanicsSerializer(required=False)
    exercise_overrides = ExerciseOverrideSerializer(many=True, required=False)


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


class PatientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    timezone = serializers.CharField()
    side = serializers.ChoiceField(choices=Patient.Side.choices)
    condition = serializers.ChoiceField(choices=Patient.Condition.choices)
    status = serializers.ChoiceField(choices=Patient.Status.choices)
    discharged_at = serializers.DateTimeField(allow_null=True)
    assigned_physio = PersonSerializer(allow_null=True)
    comorbidities = serializers.ListField(child=serializers.CharField())
    biomechanics = serializers.DictField(child=serializers.BooleanField())
    exercise_overrides = ExerciseOverrideSerializer(many=True)
    activated = serializers.SerializerMethodField(help_text="Whether the patient has signed in from the app.")
    created_at = serializers.DateTimeField()

    def get_activated(self, patient) -> bool:
        return patient.user_id is not None


class PatientDetailSerializer(PatientSerializer):
    enrollments = EnrollmentSerializer(many=True, source="enrollment_history", help_text="Newest first.")
    milestones = MilestoneSerializer(many=True, source="current_milestones", help_text="Of the current enrolment.")
    recent_logs = RecentLogsSerializer(help_text="The latest entries of each kind, newest first.")


class ActivationCodeSerializer(serializers.Serializer):
    activation_code = serializers.CharField(help_text="Shown once; only its hash is stored.")


class PatientCreatedSerializer(PatientDetailSerializer):
    activation_code = serializers.CharField(help_text="Shown once; only its hash is stored.")


class EnrollmentStartSerializer(StrictSerializer):
    protocol = ProtocolCodeField(help_text="Protocol code; its latest version is used.")
    start_date = CareDateField(help_text="Day 0: the day of surgery for a post-surgical protocol.")
    reason = TextField(max_length=300, required=False, allow_blank=True, default="")


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


def _event_in_serializer(kinds: tuple[str, ...], name: str) -> type[StrictSerializer]:
    details = _details_serializer(kinds[0], name.replace("EventIn", "Details").replace("ClinicalDetails", "Details"))
    needs_details = any(required for _, required in DETAILS.get(kinds[0], {}).values())
    fields = {
        "kind": serializers.ChoiceField(choices=kinds),
        "date": CareDateField(help_text="Planned events may be in the future."),
        "details": details(required=needs_details),
        "note": TextField(required=False, allow_blank=True),
    }
    return type(name, (StrictSerializer,), fields)


# Plain strings, not enum members: the YAML schema renderer cannot represent those.
_IMAGING_KIND, _INJECTION_KIND = ClinicalEvent.Kind.IMAGING.value, ClinicalEvent.Kind.CORTICOSTEROID_INJECTION.value
_OTHER_KINDS = tuple(str(k) for k in ClinicalEvent.Kind.values if k not in DETAILS)
_IMAGING = _event_in_serializer((_IMAGING_KIND,), "ImagingEventIn")
_INJECTION = _event_in_serializer((_INJECTION_KIND,), "InjectionEventIn")
_OTHER = _event_in_serializer(_OTHER_KINDS, "OtherClinicalEventIn")

# The request body as documented: one shape per kind, chosen by `kind`. The view validates with
# ClinicalEventSerializer and the service checks `details` against the same table.
CLINICAL_EVENT_REQUEST = PolymorphicProxySerializer(
    component_name="ClinicalEventIn",
    serializers={
        _IMAGING_KIND: _IMAGING,
        _INJECTION_KIND: _INJECTION,
        **dict.fromkeys(_OTHER_KINDS, _OTHER),
    },
    resource_type_field_name="kind",
)


# --- alerts ------------------------------------------------------------------------
class AlertQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Alert.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=Alert.Kind.choices, required=False)
    severity = serializers.ChoiceField(choices=Alert.Severity.choices, required=False)
    patient = serializers.IntegerField(required=False, help_text="A patient id.")


class AlertPatientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class AlertPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


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
