"""Each kind of patient log as the phone sends it and gets it back (the registry pairs them with their models).

Request serializers are strict (unknown fields and wrong JSON types are a
400 naming the field) and describe exactly what the schema promises; rules
that need the patient or the clock live in rehab.intake.services.
"""

from rest_framework import serializers

from config.api.serializers import DateField, InstantField, ModelSerializer, StrictSerializer, TextField
from patients.models import Patient
from protocols.definition import SYMPTOMS, TIERS
from rehab.care.selectors.enrollment import EnrollmentHistory
from rehab.logs import visa_a
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse

NOTE_MAX = 2000


class LogInSerializer(StrictSerializer):
    client_id = serializers.UUIDField(help_text="Made on the phone; unique per patient and log kind.")


class PainLogInSerializer(LogInSerializer):
    recorded_at = InstantField()
    score = serializers.IntegerField(min_value=0, max_value=10)
    context = serializers.ChoiceField(choices=PainLog.Context.choices, default=PainLog.Context.REST)
    note = TextField(max_length=NOTE_MAX, allow_blank=True, default="", trim_whitespace=False)


class ExerciseLogInSerializer(LogInSerializer):
    performed_at = InstantField()
    exercise = serializers.SlugField(
        max_length=80, trim_whitespace=False, help_text="An exercise code of the patient's protocol."
    )
    sets = serializers.IntegerField(min_value=0, max_value=100)
    reps = serializers.IntegerField(min_value=0, max_value=1000)
    completed = serializers.BooleanField()
    pain_during = serializers.IntegerField(min_value=0, max_value=10, allow_null=True, default=None)


class VisaAInSerializer(LogInSerializer):
    # The schema says which q8 values each branch allows (one shape per branch).
    schema_variants = [
        {"properties": {"q8_branch": {"type": "string", "enum": [b]}, "q8": {"type": "integer", "enum": list(v)}}}
        for b, v in sorted(visa_a.Q8_SCORES.items())
    ]
    completed_at = InstantField()
    q1 = serializers.IntegerField(min_value=0, max_value=10)
    q2 = serializers.IntegerField(min_value=0, max_value=10)
    q3 = serializers.IntegerField(min_value=0, max_value=10)
    q4 = serializers.IntegerField(min_value=0, max_value=10)
    q5 = serializers.IntegerField(min_value=0, max_value=10)
    q6 = serializers.IntegerField(min_value=0, max_value=10)
    q7 = serializers.ChoiceField(choices=[(v, str(v)) for v in visa_a.Q7_SCORES])
    q8_branch = serializers.ChoiceField(choices=sorted(visa_a.Q8_SCORES), help_text="Exactly one branch: A, B or C.")
    q8 = serializers.ChoiceField(
        choices=[(v, str(v)) for v in sorted({v for scores in visa_a.Q8_SCORES.values() for v in scores})],
        help_text="A: 0, 7, 14, 21, 30; B: 0, 4, 10, 14, 20; C: 0, 2, 5, 7, 10.",
    )


class SymptomReportInSerializer(LogInSerializer):
    reported_at = InstantField()
    symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=SYMPTOMS), min_length=1, max_length=len(SYMPTOMS)
    )
    note = TextField(max_length=NOTE_MAX, allow_blank=True, default="", trim_whitespace=False)

    def validate_symptoms(self, value):
        return sorted(set(value))  # a set: order and repeats do not change the report


class MedicationLogInSerializer(LogInSerializer):
    # The schema says what the rules say: an injection names its site; nothing else has one.
    schema_variants = [
        {
            "properties": {
                "route": {"type": "string", "enum": [MedicationLog.Route.INJECTION.value]},
                "site": {"type": "string", "enum": MedicationLog.Site.values},
            },
            "required": ["site"],
        },
        {
            "properties": {
                "route": {
                    "type": "string",
                    "enum": [MedicationLog.Route.ORAL.value, MedicationLog.Route.TOPICAL.value],
                },
                "kind": {
                    "type": "string",
                    "enum": [MedicationLog.Kind.NSAID.value, MedicationLog.Kind.OTHER.value],
                },
                "site": None,
            }
        },
    ]
    taken_on = DateField(help_text="Local date; may go back 12 months.")
    kind = serializers.ChoiceField(choices=MedicationLog.Kind.choices)
    name = TextField(max_length=200, allow_blank=True, default="")
    route = serializers.ChoiceField(choices=MedicationLog.Route.choices)
    site = serializers.ChoiceField(choices=MedicationLog.Site.choices, required=False, help_text="For injections.")
    indication = TextField(max_length=200, allow_blank=True, default="", help_text="Free text, or `ho_prophylaxis`.")

    def validate(self, attrs):
        attrs.setdefault("site", "")
        return attrs


_LOG_META = ("id", "client_id", "local_date", "received_at")


class PainLogSerializer(ModelSerializer):
    class Meta:
        model = PainLog
        fields = (*_LOG_META, "recorded_at", "score", "context", "note")


REDUCE_LOAD = (
    "Pain above {limit}/10 during exercise is too much: reduce the load next time (fewer reps, or from a lower "
    "height), and tell your physiotherapist if the pain has not settled by the next morning."
)


class ExerciseLogSerializer(ModelSerializer):
    load_advice = serializers.SerializerMethodField(
        help_text="Set when pain during the exercise was above the protocol's limit (section 4's pain-monitoring "
        "model): the app shows it at once. Null otherwise."
    )

    class Meta:
        model = ExerciseLog
        fields = (*_LOG_META, "performed_at", "exercise", "sets", "reps", "completed", "pain_during", "load_advice")

    def get_load_advice(self, log: ExerciseLog) -> str | None:
        limit = self.context.get("exercise_pain_max")
        if limit is None or log.pain_during is None or log.pain_during <= limit:
            return None
        return REDUCE_LOAD.format(limit=limit)


def exercise_answer_context(patient: Patient) -> dict:
    """What ExerciseLogSerializer's load advice needs: the limit of the patient's own protocol version.

    One read per request, list or POST.
    """
    rules = EnrollmentHistory.of(patient).rules_source()
    limit = None if rules is None else rules.protocol_version.definition.rules.get("exercise_pain_max")
    return {"exercise_pain_max": limit}


class VisaASerializer(ModelSerializer):
    class Meta:
        model = VisaAResponse
        fields = (*_LOG_META, "completed_at", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8_branch", "q8", "score")


class AdviceSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=TIERS)
    message = serializers.CharField(source="advice")


class SymptomReportSerializer(ModelSerializer):
    symptoms = serializers.ListField(child=serializers.ChoiceField(choices=SYMPTOMS))
    advice = AdviceSerializer(source="*", help_text="The highest tier of the symptoms, and what to do.")

    class Meta:
        model = SymptomReport
        fields = (*_LOG_META, "reported_at", "symptoms", "note", "advice")


class MedicationLogSerializer(ModelSerializer):
    site = serializers.CharField(help_text="achilles, heel, other or unknown for injections; empty otherwise.")

    class Meta:
        model = MedicationLog
        fields = (*_LOG_META, "taken_on", "kind", "name", "route", "site", "indication")
