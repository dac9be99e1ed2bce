"""What the RTM endpoints take and give. Shapes only: the rules are in services and selectors."""

import re
from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import FilterBooleanField, InstantField, StrictSerializer, TextField
from rehab.billing.models import ClinicBillingSettings, TimeEntry
from rehab.care.api.serializers import CareDateField, PersonSerializer

MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH, "example": "2026-11"})
class MonthField(serializers.Field):
    """A calendar month written YYYY-MM; read as its first day."""

    default_error_messages = {"invalid": "Must be a month written YYYY-MM, from 2000 to 2099."}

    def to_internal_value(self, value) -> date:
        if not isinstance(value, str) or not re.fullmatch(MONTH, value):
            self.fail("invalid")
        return date(int(value[:4]), int(value[5:]), 1)

    def to_representation(self, value) -> str:
        return value.strftime("%Y-%m") if isinstance(value, date) else str(value)[:7]


# --- episodes ---------------------------------------------------------------------------------------------
class EpisodeStartSerializer(StrictSerializer):
    started_on = CareDateField(required=False, help_text="The first local day monitored; default the patient's today.")


class EpisodeStopSerializer(StrictSerializer):
    stopped_on = CareDateField(required=False, help_text="The last local day monitored; default the patient's today.")


class EpisodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    patient = serializers.IntegerField(source="patient_id")
    started_on = serializers.DateField()
    stopped_on = serializers.DateField(allow_null=True)
    started_by = PersonSerializer()
    stopped_by = PersonSerializer(allow_null=True)


# --- time entries and timers ------------------------------------------------------------------------------
class TimeEntryCreateSerializer(StrictSerializer):
    activity = serializers.ChoiceField(choices=TimeEntry.Activity.choices)
    started_at = InstantField()
    minutes = serializers.IntegerField(min_value=1, max_value=600)
    interactive = serializers.BooleanField(help_text="A live call with the patient (a message is not).")
    note = TextField(max_length=2000, required=False, allow_blank=True, default="")


class TimeEntryCorrectionSerializer(StrictSerializer):
    reverse = serializers.BooleanField(
        required=False, default=False, help_text="True: the entry no longer counts (the figures below are ignored)."
    )
    activity = serializers.ChoiceField(choices=TimeEntry.Activity.choices, required=False)
    started_at = InstantField(required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=600, required=False)
    interactive = serializers.BooleanField(required=False)
    note = TextField(max_length=2000, help_text="Why the entry is corrected.")


class TimeEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    patient = serializers.IntegerField(source="patient_id")
    clinician = PersonSerializer()
    kind = serializers.ChoiceField(choices=TimeEntry.Kind.choices)
    activity = serializers.ChoiceField(choices=TimeEntry.Activity.choices)
    started_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    interactive = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    corrected_by = serializers.IntegerField(allow_null=True, help_text="The entry that amends or reverses this one.")
    in_effect = serializers.BooleanField(help_text="Counted by the ledger: not corrected, and not a reversal.")
    recorded_at = serializers.DateTimeField()


class TimeEntryQuerySerializer(serializers.Serializer):
    clinician = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="A clinic admin: one clinician's entries."
    )


class TimerConfirmSerializer(StrictSerializer):
    activity = serializers.ChoiceField(choices=TimeEntry.Activity.choices)
    interactive = serializers.BooleanField()
    note = TextField(max_length=2000, required=False, allow_blank=True, default="")
    minutes = serializers.IntegerField(
        min_value=1, max_value=600, required=False, help_text="Fewer than the timer ran; default all of them."
    )


class TimerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    patient = serializers.IntegerField(source="patient_id")
    started_at = serializers.DateTimeField()
    stopped_at = serializers.DateTimeField(allow_null=True)
    running = serializers.BooleanField()
    minutes = serializers.IntegerField(help_text="Whole minutes run so far (at least 1).")
    entry = serializers.IntegerField(source="entry_id", allow_null=True)
    discarded = serializers.BooleanField()


# --- the ledger -------------------------------------------------------------------------------------------
class LedgerQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text="YYYY-MM in the clinic's zone; default this month.")


class ReportQuerySerializer(LedgerQuerySerializer):
    billable = FilterBooleanField(help_text="`true`: only rows that earn a code; `false`: only those that do not.")


class PeriodSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    number = serializers.IntegerField(help_text="1 for the episode's first 30-day period.")
    start = serializers.DateField()
    end = serializers.DateField(help_text="The last day counted: the 30th, or the episode's end.")
    rules = serializers.CharField()
    data_days = serializers.IntegerField()
    complete = serializers.BooleanField()
    billed_this_month = serializers.BooleanField(help_text="The period ends in this month (its date of service).")
    codes = serializers.ListField(child=serializers.CharField())
    needed_days = serializers.IntegerField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())


class PatientRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class AfterCloseSerializer(serializers.Serializer):
    data_days = serializers.IntegerField(help_text="Days whose logs arrived after their month was closed.")
    time_entries = serializers.IntegerField(help_text="Entries of this month recorded after it was closed.")


class LedgerRowSerializer(serializers.Serializer):
    patient = PatientRefSerializer()
    month = serializers.DateField(help_text="The month's first day.")
    rules = serializers.CharField()
    closed = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    rpm = serializers.BooleanField(help_text="Billed as RPM this month: no RTM code.")
    periods = PeriodSerializer(many=True)
    minutes = serializers.IntegerField()
    interactive = serializers.BooleanField()
    clinicians = serializers.IntegerField()
    management_codes = serializers.ListField(child=serializers.CharField())
    codes = serializers.ListField(child=serializers.CharField())
    billable = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    after_close = AfterCloseSerializer()


class LedgerSerializer(serializers.Serializer):
    month = serializers.DateField()
    row = LedgerRowSerializer(allow_null=True, help_text="Null when the patient had no RTM episode that month.")


class RpmFlagSerializer(StrictSerializer):
    month = MonthField()
    rpm = serializers.BooleanField()


class MonthCloseCreateSerializer(StrictSerializer):
    month = MonthField()


class MonthCloseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.DateField()
    closed_by = PersonSerializer()
    closed_at = serializers.DateTimeField()
    rows = serializers.IntegerField(help_text="Patient rows frozen.")


class BillingSettingsSerializer(StrictSerializer):
    data_day_rule = serializers.ChoiceField(choices=ClinicBillingSettings.DataDayRule.choices)
