from django.contrib import admin

from config.admin import WrittenByServicesAdmin
from rehab.alerts.models import Alert, AlertEvent, Delivery, WebhookEndpoint


@admin.register(Alert)
class AlertAdmin(WrittenByServicesAdmin):
    list_display = ("code", "patient", "severity", "status", "created_at", "escalated_at")
    list_filter = ("status", "kind", "severity", "code", "clinic")
    raw_id_fields = ("patient", "milestone", "acknowledged_by", "resolved_by")


@admin.register(AlertEvent)
class AlertEventAdmin(WrittenByServicesAdmin):
    list_display = ("id", "type", "alert", "created_at", "dispatched_at")
    list_filter = ("type",)
    raw_id_fields = ("alert",)


@admin.register(Delivery)
class DeliveryAdmin(WrittenByServicesAdmin):
    list_display = ("channel", "target", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("channel", "status")
    raw_id_fields = ("event", "reminder")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("clinic", "url", "active", "disabled_reason")
    exclude = ("secret",)
