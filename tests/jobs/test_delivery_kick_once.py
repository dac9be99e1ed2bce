"""The delivery kick after commit: one per transaction, never lost to a savepoint rollback."""

import pytest
from django.db import transaction

from rehab.alerts.services.alerts import alert_raise
from rehab.alerts.services.delivery import delivery_kick
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _kicks(callbacks) -> int:
    return sum(1 for c in callbacks if c is delivery_kick)


def _raise(patient, code="nsaid_long_term"):
    return alert_raise(patient=patient, code=code, reason="r", evidence={})


def test_a_transaction_raising_many_alerts_kicks_delivery_once(django_capture_on_commit_callbacks):
    patients = PatientFactory.create_batch(3)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for patient in patients:
            with transaction.atomic():  # a savepoint per alert, as the review sweep does
                _raise(patient)
    assert _kicks(callbacks) == 1


def test_an_alert_after_a_rolled_back_savepoint_still_kicks_delivery(django_capture_on_commit_callbacks):
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
