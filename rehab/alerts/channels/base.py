from datetime import timedelta


class DeliveryError(Exception):
    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class TransientError(DeliveryError):
    """Worth trying again later: a timeout, a 5xx, a connection refused."""


class PermanentError(DeliveryError):
    """Never worth trying again: a 410 from a webhook, an unregistered push token."""


class Channel:
    kind = ""
    # How long a failing delivery keeps being retried, from its creation.
    retry_for = timedelta(hours=24)

    def send(self, delivery) -> int | None:
        raise NotImplementedError

    def on_permanent_failure(self, delivery, error: PermanentError) -> None:
        """Stop using the target that refused for good (outside any transaction)."""
