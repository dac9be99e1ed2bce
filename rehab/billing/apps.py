from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "rehab.billing"
    label = "billing"
    verbose_name = "Remote therapeutic monitoring"
