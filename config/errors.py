"""The rules' refusals, as the services raise them: one base class, three kinds.

Services raise these and know nothing of HTTP; the API's exception handler
(config.api.errors) turns each kind into its status and the contract's error
shape once, so a view never catches a service's error to re-raise it as DRF's.

- FieldErrors: input the rules refuse, per field -> 400 `validation_error`
- Conflict: the request conflicts with what is stored -> 409 `conflict`
- NotAllowed: the caller may not do this -> 403 `permission_denied`
"""


class DomainError(Exception):
    """A refusal a person can act on; `str(exc)` is the message shown to them."""


class FieldErrors(DomainError, ValueError):
    """Input the rules refuse, per field: {"field": ["message", ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    @classmethod
    def on(cls, field: str, message: str) -> "FieldErrors":
        return cls({field: [message]})


class Conflict(DomainError):
    """The request conflicts with what is already stored (a state that does not allow it)."""


class NotAllowed(DomainError, PermissionError):
    """The caller may not do this, although the thing exists."""
