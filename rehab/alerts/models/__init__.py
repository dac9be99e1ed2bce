from rehab.alerts.models.alerts import Alert, AlertEvent
from rehab.alerts.models.delivery import Delivery, DeliveryAttempt, WebhookEndpoint

__all__ = ["Alert", "AlertEvent", "Delivery", "DeliveryAttempt", "WebhookEndpoint"]
