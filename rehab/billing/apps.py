from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BillingConfig(AppConfig):
    name = "rehab.billing"
    label = "billing"
    verbose_name = "Remote therapeutic monitoring"

    def ready(self) -> None:
        # After every migrate, and after a test's flush (which empties the data migration's rows too).
        post_migrate.connect(_install_rule_sets, sender=self)


def _install_rule_sets(sender, using="default", **kwargs) -> None:
    from rehab.billing.rule_sets import rule_sets_install

    rule_sets_install(using=using)
