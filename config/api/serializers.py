"""Serializer building blocks shared by every API module."""

import copy
import re

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.errors import ERROR_CODES, safe_text

# JSON types each field kind accepts. DRF is lenient by default ("5" for 5,
# "yes" for true, 5 for "5"); a strict API answers 400 for what its schema
# calls invalid, so generated clients and schemathesis agree with it.
_JSON_TYPES = (
    (serializers.BooleanField, (bool,)),
    (serializers.IntegerField, (int,)),
    (serializers.FloatField, (int, float)),
    (serializers.DecimalField, (int, float)),
    (serializers.ListField, (list,)),
    (serializers.ListSerializer, (list,)),
    (serializers.DictField, (dict,)),
    (serializers.JSONField, (object,)),
    (serializers.Serializer, (dict,)),
    (serializers.CharField, (str,)),
    (serializers.DateTimeField, (str,)),
    (serializers.DateField, (str,)),
    (serializers.TimeField, (str,)),
    (serializers.UUIDField, (str,)),
)
_TYPE_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    list: "a list",
    dict: "an object",
    str: "a string",
}


def json_type_error(field, value) -> str | None:
    """The message when `value` is not of the JSON type `field` takes, else None."""
    return _type_error(_types_of(field), value)


def _type_error(types: tuple | None, value) -> str | None:
    if value is None:
        return None  # allow_null decides
    if types is None or object in types:
        return None
    if isinstance(value, bool) and bool not in types:
        return f"Must be {_TYPE_NAMES[types[0]]}."
    return None if isinstance(value, types) else f"Must be {_TYPE_NAMES[types[0]]}."


def _types_of(field) -> tuple | None:
    if isinstance(field, serializers.MultipleChoiceField):
        return (list,)
    if isinstance(field, serializers.ChoiceField):
        keys = list(field.choices)
        return (int,) if keys and all(isinstance(k, int) for k in keys) else (str,)
    for field_class, types in _JSON_TYPES:
        if isinstance(field, field_class):
            return types
    return None


class StrictSerializerMixin:
    """Refuses fields it does not declare, with the field named.

    A phone that sends `q8a` instead of `q8` must hear about it rather than
    have the answer silently dropped. The schema says the same
    (`additionalProperties: false`, see config.api.schema), so generated
    clients and schemathesis agree with the server.
    """

    def to_internal_value(self, data):
        errors = self._strict_errors(data) if isinstance(data, dict) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors or not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError({**exc.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def _strict_errors(self, data: dict) -> dict[str, list[str]]:
        known, typed = self._strict_checks()
        errors = {str(key): ["Unknown field."] for key in data if key not in known}
        if self.parent is not None and getattr(self.root, "partial", False):
            # An object inside a PATCH replaces the stored one whole, so it is validated whole:
            # DRF's partial validation would skip the required fields of nested objects too.
            for name in known - set(data):
                if self.fields[name].required:
                    errors[name] = [self.fields[name].error_messages["required"]]
        for name, types in typed:
            if name in data:
                message = _type_error(types, data[name])
                if message:
                    errors[name] = [message]
        return errors

    def _strict_checks(self) -> tuple[frozenset, list[tuple[str, tuple | None]]]:
        """The writable fields' names, and each one's JSON types in the fields' order: worked out once.

        They depend on the fields alone, which a serializer builds once (`fields` is cached too); the
        validators kept per process (rehab.intake.api.bodies) check every phone's entry with them.
        """
        checks = self.__dict__.get("_strict_checks_built")
        if checks is None:
            writable = [(name, field) for name, field in self.fields.items() if not field.read_only]
            checks = (frozenset(name for name, _ in writable), [(name, _types_of(f)) for name, f in writable])
            self._strict_checks_built = checks
        return checks


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, introspecting its model once per class instead of once per instance.

    Which fields a ModelSerializer has depends only on its class (Meta and the
    declared fields), yet DRF rebuilds them from the model for every instance:
    about a millisecond of every answer on the phone's hottest path. Each
    instance still gets its own copies, as DRF's plain Serializer does with
    its declared fields.
    """

    _built_fields: dict[type, dict] = {}

    def get_fields(self):
        built = ModelSerializer._built_fields.get(type(self))
        if built is None:
            built = ModelSerializer._built_fields[type(self)] = super().get_fields()
        return copy.deepcopy(built)


def query_data(request) -> dict:
    """Query parameters as plain values for a query serializer (and the pagination's limit and offset).

    DRF treats an empty `?since=` in a QueryDict as absent; the schema calls it
    an invalid date-time, so validate it as given. A parameter given twice
    (`?limit=10&limit=500`) has no one meaning: Django would quietly take the
    last, so it is a 400 naming the parameter.
    """
    params = request.query_params
    repeated = {safe_text(name): ["Give this parameter once."] for name, values in params.lists() if len(values) > 1}
    if repeated:
        raise serializers.ValidationError(repeated)
    return params.dict()


NO_NUL = r"^[^\x00]*$"
NO_NUL_NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


class TextField(serializers.CharField):
    """Free text the database can store, with a schema pattern that says what is refused.

    PostgreSQL refuses NUL characters and JSON can smuggle lone surrogates;
    both are a 400 here rather than a 500 at the database. A text that may not
    be blank must hold something besides spaces (the pattern says so too).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        pattern = NO_NUL if self.allow_blank else NO_NUL_NOT_BLANK
        self.validators.insert(0, RegexValidator(pattern, message="Must be text without null characters."))

    def run_validation(self, data=serializers.empty):
        # The schema's maxLength counts what was sent; DRF counts after trimming the spaces around it.
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise serializers.ValidationError("Must be valid Unicode text.") from None
        return value


# The calendar forms the contract writes (and JSON Schema's `date` / `date-time`). Python's own parser
# also reads 20261201, 2026-W49-2 and 2026-335, and Django's reads 2026-3-1: none of them is refused
# by a client's generated validation, so none may mean a date here.
DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
INSTANT_FORM = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
INSTANT_FORMAT = "YYYY-MM-DDThh:mm[:ss[.uuuuuu]](Z|+HH:MM|-HH:MM)"
# `?since=2026-03-10T12:00:00+00:00` sent unencoded: the query string turned the `+` into a space.
_PLUS_AS_SPACE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ [0-9]{2}:[0-9]{2}")


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE})
class DateField(serializers.DateField):
    """A calendar date written exactly YYYY-MM-DD."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not re.fullmatch(DATE, value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class InstantField(serializers.DateTimeField):
    """An ISO 8601 instant in the extended calendar form that must carry its UTC offset (`Z` or `+02:00`).

    A time without an offset is ambiguous for a phone that crossed a border.
    """

    default_error_messages = {
        "naive": "Include the UTC offset, e.g. 2026-03-01T08:30:00+01:00.",
        "plus_as_space": (
            "The offset's + arrived as a space: in a query string send it encoded as %2B "
            "(2026-03-10T12:00:00%2B00:00), or use Z."
        ),
    }

    def to_internal_value(self, value):
        form = INSTANT_FORM.fullmatch(value) if isinstance(value, str) else None
        if isinstance(value, str) and form is None:
            self.fail("plus_as_space" if _PLUS_AS_SPACE.fullmatch(value) else "invalid", format=INSTANT_FORMAT)
        parsed = super().to_internal_value(value)
        if form is not None and form["offset"] is None:
            self.fail("naive")
        return parsed


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine code: " + ", ".join(ERROR_CODES) + ".")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field; nested fields are dotted (`exercises.0.sets`). May be empty.",
    )


class ErrorResponseSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = ErrorDetailSerializer()


@extend_schema_field(
    {"anyOf": [{"type": "boolean"}, {"type": "string", "maxLength": 0}], "description": "Empty or absent: no filter."}
)
class FilterBooleanField(serializers.BooleanField):
    """A yes/no filter in a query string: `true` or `false`, and an empty value (what an HTML form sends for
    "either") or none at all for no filter. The schema says so: a boolean alone would call the empty value
    invalid while the filter takes it."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)
