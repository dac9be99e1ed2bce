from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "rehab.jobs"
    label = "jobs"
    verbose_name = "Periodic jobs and demo data"
