"""Two sweeps at once, on separate database connections, never send or judge anything twice."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from config import clock
from rehab.alerts.models import Alert, AlertEvent, Delivery, WebhookEndpoint
from rehab.alerts.services.delivery import delivery_sweep
from rehab.rules.services.review_sweep import milestones_judge_due
from tests.factories import ClinicFactory, enrolled_patient
from tests.support import logs
from tests.support.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(job, workers: int = 4) -> None:
    errors = []

    def run():
        try:
            job()
        except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_concurrent_delivery_sweeps_send_each_event_once():
    with Receiver(delay=0.05) as receiver:
        clinic = ClinicFactory()
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret="s")
        start = clock.local_today("Europe/London") - timedelta(days=10)
        for _ in range(15):
            patient = enrolled_patient("post-surgical-calcific-iat", start=start, clinic=clinic)
            logs.symptoms(patient, clock.now(), ["fever"], tier="same_day")
        at_once(delivery_sweep)
    assert len(receiver.event_ids()) == AlertEvent.objects.count() == 15
    assert set(receiver.event_ids().values()) == {1}
    assert Delivery.objects.filter(status="delivered").count() == 15


def test_a_live_worker_slower_than_the_stale_claim_window_renews_its_claim_and_the_event_is_sent_once(settings):
    # A one-second window for every priority, so the test need not wait minutes.
    settings.DELIVERY_CLAIM_TIMEOUT_SECONDS = settings.DELIVERY_URGENT_CLAIM_TIMEOUT_SECONDS = 1
    with Receiver(delay=3.0) as receiver:
        clinic = ClinicFactory()
        WebhookEndpoint.objects.create(clinic=clinic, url=receiver.url, secret="s")
        patient = enrolled_patient(
            "post-surgical-calcific-iat", start=clock.local_today("Europe/London"), clinic=clinic
        )
        logs.symptoms(patient, clock.now(), ["fever"], tier="same_day")
        slow_worker = threading.Thread(target=lambda: at_once(delivery_sweep, workers=1))
        slow_worker.start()
        assert receiver.wait_for(1, timeout=20)  # its request is in flight, the receiver slow to answer
        time.sleep(1.5)  # longer than the stale window since the claim
        at_once(delivery_sweep, workers=1)  # another worker's sweep, on its own connection
        slow_worker.join(30)
    assert sum(receiver.event_ids().values()) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_concurrent_review_sweeps_raise_one_referral_per_milestone():
    from tests.rules.test_reviews import REVIEW_DUE, patient_with_pain

    patients = [patient_with_pain(baseline=6, review=6) for _ in range(10)]
    at_once(lambda: milestones_judge_due(now=REVIEW_DUE))
    assert Alert.objects.filter(code="review_not_improved").count() == len(patients)
