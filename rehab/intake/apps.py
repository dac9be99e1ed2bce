from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rehab.intake"
    label = "intake"
    verbose_name = "Log intake"
