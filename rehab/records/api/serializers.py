"""What clinician endpoints take and give. Shapes only: the rules are in services and selectors."""

from datetime import datetime

from rest_framework import serializers

from config.api.serializers import FilterBooleanField, StrictSerializer, TextField
from patients.api.serializers import HH_MM, TIMEZONES
from patients.models import Patient, User
from rehab.care.api.serializers import (
    CareDateField,
    EnrollmentSerializer,
    MilestoneSerializer,
    PersonSerializer,
    ProtocolCodeField,
)
from rehab.intake.api.clinician_serializers import RecentLogsSerializer
from rehab.records.selectors.dashboard import ORDERING_FIELDS


# --- dashboard ---------------------------------------------------------------
class DashboardQuerySerializer(serializers.Serializer):
    search = TextField(required=False, allow_blank=True, help_text="Part of the display name.")
    # From a query string DRF reads a missing boolean as false; absent (or empty) must mean "no filter".
    has_open_alerts = FilterBooleanField(help_text="`true`: only patients with open alerts; `false`: only without.")
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
    exercise = serializers.SlugField(max_length=80, trim_whitespace=False)
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


class QuietHoursSerializer(StrictSerializer):
    # Untrimmed, as the schema's patterns read them: " 08:00" is not HH:MM.
    start = serializers.RegexField(HH_MM, trim_whitespace=False, help_text="Local time, HH:MM.")
    end = serializers.RegexField(HH_MM, trim_whitespace=False, help_text="Local time, HH:MM.")

    def validate(self, attrs):
        return {key: datetime.strptime(value, "%H:%M").time() for key, value in attrs.items()}


class MeUpdateSerializer(StrictSerializer):
    display_name = TextField(max_length=200, required=False, help_text="How the app addresses you.")
    timezone = serializers.ChoiceField(choices=TIMEZONES, required=False, help_text="Patients only: IANA zone.")
    quiet_hours = QuietHoursSerializer(required=False, help_text="Patients only: no reminders between these times.")


class ClinicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QuietHoursOutSerializer(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()


class EnrollmentRefSerializer(serializers.Serializer):
    protocol = serializers.CharField()
    start_date = serializers.DateField()
    day = serializers.IntegerField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The sign-in's id.")
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)
    clinic = ClinicRefSerializer(allow_null=True)
    patient_id = serializers.IntegerField(allow_null=True, help_text="Patients only, else null.")
    timezone = serializers.CharField(allow_null=True, help_text="Patients only, else null.")
    quiet_hours = QuietHoursOutSerializer(allow_null=True, help_text="Patients only, else null.")
    enrollment = EnrollmentRefSerializer(allow_null=True, help_text="The current enrolment, or null.")
