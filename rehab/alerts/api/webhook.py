"""The clinic's webhook settings, for clinic admins (a physio gets 403)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from config.api.schema import error_responses
from patients.api.base import ClinicScopedViewSet
from patients.api.permissions import IsClinicAdmin
from rehab.alerts.api.serializers import WebhookChangeSerializer, WebhookSerializer
from rehab.alerts.models import AlertEvent, WebhookEndpoint
from rehab.alerts.services.clinic_webhook import webhook_settings_save
from rehab.alerts.services.webhook_test import webhook_test_send


class WebhookTestEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The event id: the `X-Rehab-Event-Id` the receiver gets.")
    type = serializers.ChoiceField(choices=[AlertEvent.Type.TEST.value])


def _shown(endpoint: WebhookEndpoint | None) -> dict:
    if endpoint is None:
        return {"url": None, "active": False, "disabled_reason": ""}
    return {"url": endpoint.url, "active": endpoint.active, "disabled_reason": endpoint.disabled_reason}


class ClinicWebhookViewSet(ClinicScopedViewSet):
    permission_classes = [IsClinicAdmin]

    def scoped_queryset(self):
        return WebhookEndpoint.objects.all()

    @extend_schema(summary="The clinic's webhook (the secret is never shown)", responses=WebhookSerializer)
    def retrieve(self, request):
        return Response(WebhookSerializer(_shown(self.get_queryset().first())).data)

    @extend_schema(
        summary="Set the clinic's webhook",
        description="`secret` is required the first time and may be left out later to keep it. Saving it active "
        "again clears `disabled_reason`.",
        request=WebhookChangeSerializer,
        responses=WebhookSerializer,
    )
    def update(self, request):
        serializer = WebhookChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_settings_save(clinic=request.user.clinic, **serializer.validated_data)
        return Response(WebhookSerializer(_shown(endpoint)).data)

    @extend_schema(
        summary="Send a test event to the clinic's webhook",
        description='Queues a signed `alert.test` event (a sample alert marked `"test": true`) through the '
        "same outbox and delivery as real events; 202 with its id. 409 when the clinic has no active webhook.",
        request=None,
        responses={202: WebhookTestEventSerializer, **error_responses(409)},
    )
    def send_test(self, request):
        event = webhook_test_send(clinic=request.user.clinic, by=request.user)
        return Response({"id": event.id, "type": event.type}, status=status.HTTP_202_ACCEPTED)
