from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "rehab.dashboard"
    label = "dashboard"
    verbose_name = "Physiotherapists' web dashboard"
