"""The delivery kick after commit: one per transaction, never lost to a savepoint rollback."""

import pytest
from django.db import transaction

from rehab.alerts.services import alerts
from rehab.alerts.services.alerts import alert_raise
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kicked(monkeypatch) -> list:
    """Every time delivery is kicked, recorded instead of reaching the broker."""
    sent = []
    monkeypatch.setattr(alerts, "delivery_kick", lambda: sent.append(1))
    return sent


@pytest.fixture
def _kicks(kicked):
    """Runs the callbacks a commit would run; returns how many times delivery was kicked."""

    def run(callbacks) -> int:
        for callback in callbacks:
            callback()
        return len(kicked)

    return run


def _raise(patient, code="nsaid_long_term"):
    return alert_raise(patient=patient, code=code, reason="r", evidence={})


def test_a_transaction_raising_many_alerts_kicks_delivery_once(django_capture_on_commit_callbacks, _kicks):
    patients = PatientFactory.create_batch(3)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for patient in patients:
            with transaction.atomic():  # a savepoint per alert, as the review sweep does
                _raise(patient)
    assert _kicks(callbacks) == 1


def test_an_alert_after_a_rolled_back_savepoint_still_kicks_delivery(django_capture_on_commit_callbacks, _kicks):
    first, second = PatientFactory.create_batch(2)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                _raise(first)
                raise RuntimeError("this alert is rolled back")
        except RuntimeError:
            pass
        with transaction.atomic():
            _raise(second)
    assert _kicks(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_the_transaction_after_one_rolled_back_still_kicks_delivery_once(kicked):
    first, second = PatientFactory.create_batch(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        _raise(first)
        raise RuntimeError("the whole transaction is rolled back")
    assert kicked == []
    with transaction.atomic():
        _raise(second)
        _raise(second, code="red_flag_same_day")
    assert kicked == [1]


@pytest.mark.django_db(transaction=True)
def test_each_committed_transaction_kicks_delivery_once_after_its_commit(kicked):
    first, second = PatientFactory.create_batch(2)
    with transaction.atomic():
        _raise(first)
        _raise(first, code="red_flag_same_day")
        assert kicked == []  # not before the commit
    assert kicked == [1]
    _raise(second)  # its own transaction
    assert kicked == [1, 1]
