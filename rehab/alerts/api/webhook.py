"""The clinic's webhook settings, for clinic admins (a physio gets 403)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from patients.api.base import ClinicScopedViewSet
from patients.api.permissions import IsClinicAdmin
from rehab.alerts.api.serializers import WebhookChangeSerializer, WebhookSerializer
from rehab.alerts.models import WebhookEndpoint
from rehab.alerts.services.clinic_webhook import webhook_settings_save


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
