"""The whole path through a real Celery worker and a real Redis, not eager mode.

A log arrives (the log service the API calls) -> its alert and outbox event
commit -> the after-commit kick reaches a worker -> the clinic's webhook
receives the signed event. Then the faults: a worker SIGKILLed in the middle
of a batch, and a broker that is down while logs keep arriving. These start
their own redis-server so the shared one keeps serving everyone else.
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings

from config import clock
from patients.models import Clinic
from rehab.alerts.models import AlertEvent, Delivery, WebhookEndpoint
from rehab.intake.services import log_record
from rehab.jobs.tasks import deliver_pending
from tests.factories import ClinicFactory, enrolled_patient
from tests.support.processes import RedisServer, Worker, free_port, publishing_to
from tests.support.receiver import Receiver, body_of, signature_valid

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRET = "end-to-end-secret"


def clinic_with_webhook(url: str) -> Clinic:
    clinic = ClinicFactory()
    WebhookEndpoint.objects.create(clinic=clinic, url=url, secret=SECRET)
    return clinic


def report_chest_pain(clinic: Clinic):
    patient = enrolled_patient("post-surgical-calcific-iat", start=clock.local_today("Europe/London") - timedelta(10),
                               clinic=clinic)  # fmt: skip
    data = {"client_id": uuid.uuid4(), "reported_at": clock.now(), "symptoms": ["chest_pain"], "note": "at night"}
    return log_record(patient=patient, kind="symptom_reports", data=data)


def beat_until(done, timeout: float = 60.0) -> None:
    """Stand in for beat's every-minute delivery sweep, faster, until `done()`."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the events were not delivered in time"
        deliver_pending.apply_async()
        time.sleep(1.0)


def test_a_red_flag_log_reaches_the_clinic_webhook_through_a_real_worker_with_a_valid_signature(start_worker):
    with Receiver() as receiver:
        clinic = clinic_with_webhook(receiver.url)
        worker = start_worker(settings.CELERY_BROKER_URL, f"e2e-{uuid.uuid4().hex[:6]}")
        started = time.monotonic()
        record, status = report_chest_pain(clinic)
        assert status == "created" and record.tier == "emergency"
        assert receiver.wait_for(1, timeout=30), worker.log_path.read_text()[-3000:]
        took = time.monotonic() - started
        worker.stop()
    [request] = receiver.requests
    event = AlertEvent.objects.get()
    assert signature_valid(SECRET, request)
    assert request["headers"]["X-Rehab-Event-Id"] == str(event.id)
    assert body_of(request)["alert"]["code"] == "red_flag_emergency"
    assert "at night" not in request["body"].decode()  # the patient's note never leaves
    assert took < 20  # sent after commit, not at the next minute's sweep
    assert Delivery.objects.get().status == "delivered"


@pytest.fixture
def start_worker(tmp_path):
    """Start workers that are always stopped at teardown, whatever the test did."""
    started = []

    def start(broker_url: str, name: str) -> Worker:
        worker = Worker(broker_url, tmp_path / f"{name}.log", name)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(free_port(), tmp_path).start()
    with publishing_to(server.url):
        yield server
    server.stop()


def test_a_worker_killed_mid_batch_loses_no_event_and_only_the_one_in_flight_is_sent_again(start_worker, private_redis):
    with Receiver(delay=0.25) as receiver:
        clinic = clinic_with_webhook(receiver.url)
        for _ in range(12):
            report_chest_pain(clinic)
        events = {str(pk) for pk in AlertEvent.objects.values_list("id", flat=True)}
        first = start_worker(private_redis.url, f"first-{uuid.uuid4().hex[:6]}")
        assert receiver.wait_for(4, timeout=30), first.log_path.read_text()[-3000:]
        first.kill()
        received_before_kill = set(receiver.event_ids())
        left_claimed = Delivery.objects.filter(status="sending").count()
        assert left_claimed > 0, "the worker died mid-batch, holding claimed deliveries"
        second = start_worker(private_redis.url, f"second-{uuid.uuid4().hex[:6]}")
        beat_until(lambda: not Delivery.objects.exclude(status="delivered").exists())
        second.stop()
    received = receiver.event_ids()
    assert set(received) == events  # every event delivered
    sent_twice = {event_id for event_id, n in received.items() if n > 1}
    # At least once: only the request in flight when the worker died may repeat,
    # with the same event id the clinic dedupes on; nothing else is sent twice.
    assert len(sent_twice) <= 1 and sent_twice <= received_before_kill
    assert max(received.values()) <= 2
    assert Delivery.objects.count() == 12  # one delivery per event and channel


def test_logs_are_accepted_while_the_broker_is_down_and_their_events_go_out_when_it_is_back(
    start_worker, private_redis
):
    with Receiver() as receiver:
        clinic = clinic_with_webhook(receiver.url)
        worker = start_worker(private_redis.url, f"survivor-{uuid.uuid4().hex[:6]}")
        private_redis.stop()
        started = time.monotonic()
        record, status = report_chest_pain(clinic)
        assert status == "created" and time.monotonic() - started < 5
        event = AlertEvent.objects.get(alert__patient=record.patient)
        assert event.dispatched_at is None
        time.sleep(1)
        assert receiver.requests == []
        private_redis.start()
        beat_until(lambda: receiver.wait_for(1, timeout=0.5))
        worker.stop()
    [request] = receiver.requests
    assert request["headers"]["X-Rehab-Event-Id"] == str(event.id) and signature_valid(SECRET, request)
