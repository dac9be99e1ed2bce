"""The clinic's alerts and its webhook."""

from django.urls import path

from rehab.alerts.api.views import AlertViewSet
from rehab.alerts.api.webhook import ClinicWebhookViewSet

urlpatterns = [
    path("alerts/", AlertViewSet.as_view({"get": "list"}), name="clinician-alerts"),
    path("alerts/<int:alert_id>/acknowledge/", AlertViewSet.as_view({"post": "acknowledge"}), name="alert-ack"),
    path("alerts/<int:alert_id>/resolve/", AlertViewSet.as_view({"post": "resolve"}), name="alert-resolve"),
    path("clinic/webhook/", ClinicWebhookViewSet.as_view({"get": "retrieve", "put": "update"}), name="clinic-webhook"),
    path("clinic/webhook/test/", ClinicWebhookViewSet.as_view({"post": "send_test"}), name="clinic-webhook-test"),
]
