from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rehab.rules"
    label = "rules"
    verbose_name = "Clinical rules"
