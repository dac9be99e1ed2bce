"""The pages' query strings, validated by the API's own query serializers (same fields, same words)."""

from rest_framework import serializers

from rehab.alerts.api.serializers import AlertQuerySerializer
from rehab.alerts.models import Alert
from rehab.records.api.serializers import DashboardQuerySerializer
from rehab.records.selectors.dashboard import BY_NEED, ORDERING_FIELDS

PAGE_SIZES = (10, 25, 50, 100)
MINE, ALL = "mine", "all"
ANY_STATUS = "any"


class PagingMixin(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.ChoiceField(choices=PAGE_SIZES, default=25)


class PatientsPageQuerySerializer(PagingMixin, DashboardQuerySerializer):
    """The API's dashboard filters, plus what the page adds: whose patients, discharged shown, by need."""

    scope = serializers.ChoiceField(choices=[MINE, ALL], default=MINE)
    discharged = serializers.BooleanField(default=False, help_text="Show discharged patients too.")
    ordering = serializers.ChoiceField(
        choices=[BY_NEED, *(f"{sign}{name}" for name in ORDERING_FIELDS for sign in ("", "-"))], default=BY_NEED
    )


class AlertsPageQuerySerializer(PagingMixin, AlertQuerySerializer):
    """The API's alert filters; the inbox opens on the open alerts, and "any" lifts the status filter."""

    status = serializers.ChoiceField(choices=[*Alert.Status.values, ANY_STATUS], default=Alert.Status.OPEN)

    def validate_status(self, value: str) -> str | None:
        return None if value == ANY_STATUS else value


def given(query_dict) -> dict:
    """A form's query string without its empty fields (an empty select means "any")."""
    return {key: value for key, value in query_dict.items() if value != ""}


def errors_in_words(errors: dict) -> list[str]:
    """The serializer's errors as "field: message" lines, as the API's error details name them."""
    return [f"{field}: {message}" for field, messages in errors.items() for message in messages]
