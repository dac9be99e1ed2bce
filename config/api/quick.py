"""A strict serializer's answer to an ordinary body, without DRF's per-field machinery.

A phone's sync batch is dozens of small bodies, each validated by its kind's
strict serializer, and DRF spends about 50 µs on each: a chain of calls per
field (empty values, the value, its validators, the serializer's hooks) to
check a few whole numbers, a choice, a UUID and an instant. `quick_validator`
checks a body field by field with each field's own limits (its range, its
choices, its default) and answers what `run_validation` would return, or
NOT_SURE: then the caller runs the serializer, whose answer and messages
stand. So it only ever says yes to what the serializer says yes to, with the
same value (a differential test holds it to that), and every refusal, with its
message, is still the serializer's.

Fields of the kinds below whose limits it knows (whole numbers in a range, true
or false, choices, UUIDs, instants with their offset) are checked here; any other
field runs its own `run_validation`, as the serializer would run it. A
serializer with validators of its own, a field with a source other than its
name, or a partial update gets no quick validator (None).
"""

import uuid
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField, empty
from rest_framework.settings import api_settings

from config.api.serializers import INSTANT_FORM, InstantField, json_type_error

NOT_SURE = object()  # the serializer must decide


class _NotSure(Exception):
    pass


def quick_validator(serializer: serializers.Serializer) -> Callable[[object], object] | None:
    """A function of a body: the serializer's validated data for it, or NOT_SURE. None where it cannot help."""
    if getattr(serializer, "partial", False) or serializer.validators:
        return None
    checks = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name:
            return None
        hook = getattr(serializer, f"validate_{name}", None)
        checks.append((name, field.required, _default_of(field), _check_of(field), hook))
    known = frozenset(name for name, *_ in checks)
    own_validate = type(serializer).validate is not serializers.Serializer.validate
    validate = serializer.validate if own_validate else None

    def quick(body):
        if type(body) is not dict or not known.issuperset(body):
            return NOT_SURE  # not an object, or a field the serializer does not declare (a refusal)
        value = {}
        try:
            for name, required, default, check, hook in checks:
                given = body.get(name, empty)
                if given is empty:
                    if required or default is _DEFAULT_MADE_AT_USE:
                        raise _NotSure  # required (a refusal), or a default only the field can make
                    if default is SkipField:
                        continue  # an optional field without a default is left out, hook and all
                    checked = default
                else:
                    checked = check(given)
                value[name] = checked if hook is None else hook(checked)  # the hook sees a default too
            return value if validate is None else validate(value)
        except (_NotSure, serializers.ValidationError, DjangoValidationError):
            return NOT_SURE

    return quick


_DEFAULT_MADE_AT_USE = object()  # a default that must be made at each use (callable): the serializer's


def _default_of(field):
    """What an absent optional field gives: its default, SkipField for none, or _DEFAULT_MADE_AT_USE."""
    if field.default is empty:
        return SkipField
    return _DEFAULT_MADE_AT_USE if callable(field.default) else field.default


def _check_of(field) -> Callable[[object], object]:
    """The field's value for a given (not absent) value; raises _NotSure or ValidationError when it would refuse."""
    kind = type(field)
    if kind is serializers.IntegerField and _only_range_validators(field):  # both ends set, nothing else
        return _nullable(field, _whole_number(field))
    if kind is serializers.BooleanField:
        return _nullable(field, _boolean)
    if kind is serializers.ChoiceField and not field.validators:
        return _nullable(field, _choice(field))
    if kind is serializers.UUIDField and field.uuid_format == "hex_verbose" and not field.validators:
        return _nullable(field, _uuid)
    if kind is InstantField and _parses_iso_8601_first(field) and not field.validators:
        return _nullable(field, _instant(field))
    return _own_validation(field)


def _only_range_validators(field) -> bool:
    # Without both ends DRF's int(str(n)) can refuse a number too long to convert: only the field knows.
    if field.min_value is None or field.max_value is None:
        return False
    limits = {(MinValueValidator, field.min_value), (MaxValueValidator, field.max_value)}
    return all((type(v), v.limit_value) in limits for v in field.validators)


def _nullable(field, check):
    """None is the field's null when it allows one; otherwise the serializer refuses it."""
    allow_null = field.allow_null

    def checked(given):
        if given is None:
            if allow_null:
                return None
            raise _NotSure
        return check(given)

    return checked


def _whole_number(field):
    low, high = field.min_value, field.max_value

    def check(given):
        # A JSON whole number (never a bool) within the range: DRF's int(str(given)) is the number itself.
        if type(given) is int and low <= given <= high:
            return given
        raise _NotSure

    return check


def _boolean(given):
    if type(given) is bool:  # DRF also takes 1, "yes" and "on"; a strict serializer does not
        return given
    raise _NotSure


def _choice(field):
    choices = field.choice_strings_to_values
    allow_blank = field.allow_blank
    keys = list(field.choices)
    # The JSON type a strict serializer takes for a choice: a whole number where every key is one, else a string.
    takes = int if keys and all(type(k) is int for k in keys) else str

    def check(given):
        if type(given) is takes:
            if given == "" and allow_blank:
                return ""
            key = str(given)
            if key in choices:
                return choices[key]
        raise _NotSure

    return check


def _uuid(given):
    if type(given) is str:
        try:
            return uuid.UUID(hex=given)  # as DRF's UUIDField reads a string
        except ValueError:
            pass
    raise _NotSure


def _parses_iso_8601_first(field) -> bool:
    formats = getattr(field, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
    return bool(formats) and formats[0].lower() == ISO_8601


def _instant(field):
    def check(given):
        # InstantField's own steps for an instant in its form with an offset: Django's parse_datetime is
        # fromisoformat where that reads the text, and the field's enforce_timezone moves it to its zone.
        if type(given) is str:
            form = INSTANT_FORM.fullmatch(given)
            if form is not None and form["offset"] is not None:
                try:
                    parsed = datetime.fromisoformat(given)
                except ValueError:
                    raise _NotSure from None
                if parsed.tzinfo is not None:
                    return field.enforce_timezone(parsed)
        raise _NotSure

    return check


def _own_validation(field):
    """Any other field: its own run_validation, as the serializer runs it, after the strict JSON type check."""

    def check(given):
        if json_type_error(field, given):
            raise _NotSure  # a text field would take 5 as "5"; a strict serializer refuses it
        return field.run_validation(given)

    return check
