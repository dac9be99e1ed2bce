from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "rehab.logs"
    label = "logs"
    verbose_name = "Patient logs"
