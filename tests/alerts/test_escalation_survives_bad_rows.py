"""Escalation goes on past an alert that cannot be escalated, and tries it again later, not every minute."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rehab.alerts.models import Alert, AlertEvent
from rehab.alerts.services import alerts
from rehab.alerts.services.alerts import ESCALATION_RETRY_AFTER, alert_raise, alerts_escalate_due
from tests.factories import PatientFactory

# Real transactions: the failed batch is rolled back for real, and what survives it is what was committed.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(alerts, "delivery_kick", lambda: None)


@pytest.fixture
def urgent_alerts() -> list[Alert]:
    """Five urgent alerts of patients on no protocol: each escalates at the next sweep."""
    with time_machine.travel(NOW, tick=False):
        raised = [
            alert_raise(patient=p, code="red_flag_same_day", reason="r", evidence={})[0]
            for p in PatientFactory.create_batch(5)
        ]
    assert {a.escalate_at for a in raised} == {NOW}
    return raised


@pytest.fixture
def broken(monkeypatch) -> tuple[set, list]:
    """Alerts (by id) whose webhook body cannot be built, and every id a body was built for."""
    ids, tried, real = set(), [], alerts.alert_payload

    def payload(alert):
        tried.append(alert.pk)
        if alert.pk in ids:
            raise ValueError(f"planted: alert {alert.pk} cannot be serialised")
        return real(alert)

    monkeypatch.setattr(alerts, "alert_payload", payload)
    return ids, tried


def test_an_alert_that_cannot_be_escalated_is_put_off_and_the_others_of_its_batch_escalate(
    urgent_alerts, broken, caplog
):
    ids, tried = broken
    bad = urgent_alerts[1]  # in the first batch of two
    ids.add(bad.pk)
    others = [a.pk for a in urgent_alerts if a != bad]

    assert alerts_escalate_due(now=NOW, batch_size=2) == others
    assert "an escalation batch failed" in caplog.text  # rolled back and redone alert by alert

    bad.refresh_from_db()
    assert bad.escalated_at is None and bad.escalate_at == NOW + ESCALATION_RETRY_AFTER
    escalations = AlertEvent.objects.filter(type=AlertEvent.Type.ESCALATED)
    # One event each: what the rolled-back batch wrote went with it.
    assert sorted(escalations.values_list("alert_id", flat=True)) == sorted(others)

    # The sweep runs every minute; the broken alert is not tried again before its time.
    tried.clear()
    assert alerts_escalate_due(now=NOW + ESCALATION_RETRY_AFTER - timedelta(minutes=1)) == []
    assert bad.pk not in tried

    ids.clear()  # mended meanwhile
    assert alerts_escalate_due(now=NOW + ESCALATION_RETRY_AFTER) == [bad.pk]
    assert escalations.filter(alert=bad).count() == 1
