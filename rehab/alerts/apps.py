from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "rehab.alerts"
    label = "alerts"
    verbose_name = "Alerts and their delivery"
