from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "rehab.records"
    label = "records"
    verbose_name = "Patient records"
