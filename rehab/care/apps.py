from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "rehab.care"
    label = "care"
    verbose_name = "Care: enrolments, milestones, plans"
