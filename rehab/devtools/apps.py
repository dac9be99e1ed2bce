from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "rehab.devtools"
    label = "devtools"
    verbose_name = "Development tools (simulator)"
