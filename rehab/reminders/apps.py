from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "rehab.reminders"
    label = "reminders"
    verbose_name = "Reminders"
