"""What the dashboard's forms share: the API's own validation, and refusals shown next to their fields."""

from config.api.errors import flatten_errors
from config.errors import DomainError, FieldErrors


def api_input(serializer_class, data: dict, **kwargs) -> dict:
    """`data` validated by the API's own serializer: the API's rules and, word for word, its messages.

    Refused, it raises FieldErrors keyed as the API's error `fields` are (`exercise_overrides.0.sets`).
    """
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise FieldErrors(flatten_errors(serializer.errors))
    return dict(serializer.validated_data)


def refusal_fields(exc: DomainError, *, field: str = "non_field_errors") -> dict[str, list[str]]:
    """A service's refusal as per-field messages; one that names no field goes under `field`."""
    if isinstance(exc, FieldErrors):
        return exc.errors
    return {field: [str(exc)]}
