"""config.api.quick_writer: a record written quickly is written exactly as its serializer writes it.

A differential test over random records of every log kind (hypothesis): instants in any zone (and
naive), dates, UUIDs, whole numbers, texts and choices, stored values outside the choices included.
"""

import types
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from config.api.quick_writer import quick_writer
from rehab.intake.registry import KINDS


class _Shifted(serializers.DateTimeField):
    def enforce_timezone(self, value):
        return super().enforce_timezone(value).replace(microsecond=0)


QUICK_KINDS = ["pain_logs", "exercise_logs", "visa_a", "medication_logs"]


def _value_of(field: models.Field):
    if field.choices:
        return st.one_of(st.sampled_from([value for value, _ in field.choices]), st.text(max_size=5))
    if isinstance(field, models.DateTimeField):
        return st.one_of(st.datetimes(timezones=st.timezones()), st.datetimes())
    if isinstance(field, models.DateField):
        return st.dates()
    if isinstance(field, models.UUIDField):
        return st.uuids()
    if isinstance(field, models.BooleanField):
        return st.booleans()
    if isinstance(field, models.IntegerField | models.AutoField):
        return st.one_of(st.none(), st.integers(-(10**6), 10**6)) if field.null else st.integers(0, 10**6)
    if isinstance(field, models.CharField | models.TextField):
        return st.text(max_size=30)
    if isinstance(field, models.JSONField):
        return st.lists(st.text(max_size=4), max_size=3)
    raise AssertionError(f"no values for {field!r}")


def records(model: type[models.Model], names: list[str]):
    fields = {f.name: f for f in model._meta.concrete_fields}
    values = {name: _value_of(fields[name]) for name in names if name in fields}
    return st.builds(lambda **kw: model(**kw), **values)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])  # DRF writes instants in the current zone
@pytest.mark.parametrize("kind", QUICK_KINDS)
def test_a_quick_answer_is_the_serializer_s_answer(kind, zone):
    log_kind = KINDS[kind]
    serializer = log_kind.out_serializer(context={"exercise_pain_max": 5})
    write = quick_writer(serializer)
    assert write is not None

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(page=st.lists(records(log_kind.model, list(serializer.fields)), max_size=3))
    def check(page):
        with timezone.override(zone):
            assert outcome(write, page) == outcome(lambda p: [serializer.to_representation(r) for r in p], page)

    check()


def outcome(write, page):
    """The answer, or what DRF raises: its refusal of an instant moved past year 9999 by its zone, with its
    message, or the OverflowError its own validity check raises for a naive one there."""
    try:
        return write(page)
    except ValidationError as refused:
        return ("refused", refused.detail)
    except OverflowError as error:
        return ("overflow", str(error))


def test_a_whole_record_source_keeps_its_serializer():
    assert quick_writer(KINDS["symptom_reports"].out_serializer(context={})) is None  # advice is source="*"


def test_the_newest_page_is_written_by_the_quick_writer():
    from rehab.intake.api.views import _answer_writer

    writer = _answer_writer("pain_logs")
    assert writer.__qualname__ == "quick_writer.<locals>.write"  # not the fallback through the serializer


class ZoneOfItsOwn(serializers.Serializer):
    """An instant with its own zone, and one whose subclass moves it by rules of its own."""

    at = serializers.DateTimeField(default_timezone=ZoneInfo("America/St_Johns"))
    shifted = _Shifted()


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
@settings(max_examples=100, deadline=None)
@given(at=st.datetimes(timezones=st.timezones()), shifted=st.datetimes(timezones=st.timezones()))
def test_a_field_s_own_zone_and_a_subclass_s_own_rules_are_kept(zone, at, shifted):
    record = types.SimpleNamespace(at=at, shifted=shifted)
    serializer = ZoneOfItsOwn()
    with timezone.override(zone):
        assert outcome(quick_writer(serializer), [record]) == outcome(
            lambda page: [serializer.to_representation(r) for r in page], [record]
        )
