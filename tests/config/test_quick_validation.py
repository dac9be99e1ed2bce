"""config.api.quick: a quick validator says yes only to what its serializer says yes to, with the same value.

A differential test over random bodies of every log kind (hypothesis): each answer is NOT_SURE (the
serializer decides) or exactly the serializer's validated data, never a body the serializer refuses.
"""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from config.api.quick import NOT_SURE, quick_validator
from config.api.serializers import DateField, InstantField, StrictSerializer
from rehab.intake.registry import KINDS

REFUSED = object()

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(["", " ", "\x00", "\ud800", "5", "true", "null", "2026-03-10", "2026-03-10T08:00:00"]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


def _instants():
    moments = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    naive = st.datetimes().map(lambda d: d.isoformat())
    spelled = st.sampled_from(["2026-03-10T08:00:00Z", "2026-03-10t08:00Z", "2026-03-10 08:00:00+01:00"])
    return st.one_of(moments, moments, moments, naive, spelled)


def _plausible(field):
    """Values near what the field takes, so that most bodies get past the quick checks and some do not."""
    if isinstance(field, serializers.ChoiceField):
        keys = list(field.choices)
        return st.one_of(st.sampled_from(keys), st.sampled_from([str(k) for k in keys]))
    if isinstance(field, serializers.IntegerField):
        return st.one_of(st.integers(field.min_value, field.max_value), st.integers(-(10**4), 10**4))
    if isinstance(field, serializers.BooleanField):
        return st.booleans()
    if isinstance(field, serializers.UUIDField):
        ids = st.uuids()
        return st.one_of(ids.map(str), ids.map(lambda u: str(u).upper()), ids.map(lambda u: u.hex), st.just("x-1"))
    if isinstance(field, InstantField):
        return _instants()
    if isinstance(field, DateField):
        return st.one_of(st.dates().map(lambda d: d.isoformat()), st.just("2026-3-1"))
    if isinstance(field, serializers.ListField):
        return st.lists(_plausible(field.child), max_size=4)
    if isinstance(field, serializers.SlugField):
        return st.one_of(st.from_regex(r"[a-z_-]{1,12}", fullmatch=True), st.text(max_size=4))
    if isinstance(field, serializers.CharField):
        return st.one_of(st.text(max_size=12), st.text(min_size=195, max_size=210), st.just("a\x00b"))
    return JUNK


def _taken(field):
    """Values the field takes: a body of these alone is valid field by field (the serializer may still refuse it)."""
    if isinstance(field, serializers.ChoiceField):
        return st.sampled_from(list(field.choices))
    if isinstance(field, serializers.IntegerField) and field.min_value is not None and field.max_value is not None:
        return st.integers(field.min_value, field.max_value)
    if isinstance(field, serializers.UUIDField):
        return st.uuids().map(str)
    if isinstance(field, InstantField):
        return st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    if isinstance(field, DateField):
        return st.dates().map(lambda d: d.isoformat())
    if isinstance(field, serializers.ListField):
        return st.lists(_taken(field.child), max_size=4)
    if isinstance(field, serializers.CharField) and not isinstance(field, serializers.SlugField):
        return st.text(alphabet="abc xyz", max_size=12)
    return _plausible(field)


@st.composite
def bodies(draw, serializer: serializers.Serializer):
    """A body near a valid one: every field with a plausible value, then some dropped, some junk, a stray key.

    One body in three is every field with a value it takes: a kind with many required fields (VISA-A's
    eleven) would otherwise almost never draw a body the quick path can answer.
    """
    if draw(st.integers(0, 19)) == 0:
        return draw(JUNK)  # not an object at all
    if draw(st.integers(0, 2)) == 0:
        return {name: draw(_taken(field)) for name, field in serializer.fields.items() if not field.read_only}
    body = {}
    for name, field in serializer.fields.items():
        change = draw(st.sampled_from(["keep"] * 8 + ["drop", "junk"]))
        if change != "drop":
            body[name] = draw(JUNK if change == "junk" else _plausible(field))
    if draw(st.integers(0, 9)) == 0:
        body["unknown"] = draw(JUNK)
    return body


def serializers_answer(serializer, body):
    try:
        return serializer.run_validation(body)
    except serializers.ValidationError:
        return REFUSED


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_quick_answer_is_the_serializer_s_answer(kind):
    serializer = KINDS[kind].in_serializer()
    quick = quick_validator(serializer)
    assert quick is not None
    answered = []

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=bodies(serializer))
    def check(body):
        mine = quick(body)
        if mine is NOT_SURE:
            return
        answered.append(body)
        assert serializers_answer(serializer, body) == mine

    check()
    assert answered  # the quick path answered some bodies: a validator that is never sure tests nothing


ORDINARY = {
    "pain_logs": {"client_id": str(uuid.uuid4()), "recorded_at": "2026-03-10T08:00:00+00:00", "score": 3},
    "exercise_logs": {
        "client_id": str(uuid.uuid4()), "performed_at": "2026-03-10T08:00:00Z", "exercise": "eccentric_heel_drop",
        "sets": 3, "reps": 15, "completed": True,
    },
    "visa_a": {
        "client_id": str(uuid.uuid4()), "completed_at": "2026-03-10T08:00:00+01:00", "q1": 5, "q2": 5, "q3": 5,
        "q4": 5, "q5": 5, "q6": 5, "q7": 4, "q8_branch": "A", "q8": 14,
    },
    "symptom_reports": {
        "client_id": str(uuid.uuid4()), "reported_at": "2026-03-10T08:00:00Z",
        "symptoms": ["calf_swelling", "fever", "calf_swelling"],
    },
    "medication_logs": {
        "client_id": str(uuid.uuid4()), "taken_on": "2026-03-09", "kind": "nsaid", "name": "ibuprofen",
        "route": "oral",
    },
}  # fmt: skip


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_ordinary_body_of_every_kind_is_answered_quickly_as_the_serializer_answers(kind):
    serializer = KINDS[kind].in_serializer()
    answer = quick_validator(serializer)(ORDINARY[kind])
    assert answer is not NOT_SURE
    assert answer == serializer.run_validation(ORDINARY[kind])


def test_a_refusal_is_left_to_the_serializer():
    serializer = KINDS["pain_logs"].in_serializer()
    quick = quick_validator(serializer)
    good = ORDINARY["pain_logs"]
    for bad in ({**good, "score": 11}, {**good, "score": "3"}, {**good, "score": True}, {**good, "note": 5},
                {**good, "q8a": 1}, {k: v for k, v in good.items() if k != "score"}, {**good, "context": "Rest"},
                {**good, "recorded_at": "2026-03-10T08:00:00"}, [good]):  # fmt: skip
        assert quick(bad) is NOT_SURE
        assert serializers_answer(serializer, bad) is REFUSED


def test_what_it_cannot_judge_gets_no_quick_validator():
    class Checked(StrictSerializer):
        score = serializers.IntegerField()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.validators = [lambda attrs: None]

    class Sourced(StrictSerializer):
        score = serializers.IntegerField(min_value=0, max_value=10, source="value")

    assert quick_validator(Checked()) is None
    assert quick_validator(Sourced()) is None
    assert quick_validator(KINDS["pain_logs"].in_serializer(partial=True)) is None
