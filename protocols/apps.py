from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = "Protocols"

    def ready(self) -> None:
        # The shipped definition files are the source of truth; loading them
        # after every migrate means a fresh database, a test database and a
        # deploy all see the same published versions with no extra step.
        post_migrate.connect(_load_protocol_library, sender=self)


def _load_protocol_library(sender, using="default", **kwargs) -> None:
    from protocols.library import protocol_library_sync

    protocol_library_sync(using=using)
