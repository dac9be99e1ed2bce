from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "rehab.exchange"
    label = "exchange"
    verbose_name = "Records exchange (FHIR) and the patient's rights"
