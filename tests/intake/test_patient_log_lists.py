"""A clinician's lists of one patient's logs: every kind, newest first, `?since=` like the phone's."""

import uuid
from datetime import timedelta

import pytest
import time_machine

from tests.support.clinician_api import NOW
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")

ENTRIES = {
    "pain-logs": lambda at: {"recorded_at": at.isoformat(), "score": 3},
    "exercise-logs": lambda at: {
        "performed_at": at.isoformat(),
        "exercise": "calf-stretch",
        "sets": 3,
        "reps": 1,
        "completed": True,
    },
    "visa-a": lambda at: {
        "completed_at": at.isoformat(),
        **{f"q{i}": 5 for i in range(1, 7)},
        "q7": 7,
        "q8_branch": "B",
        "q8": 10,
    },
    "symptom-reports": lambda at: {"reported_at": at.isoformat(), "symptoms": ["fever"]},
    "medication-logs": lambda at: {
        "taken_on": at.date().isoformat(),
        "kind": "nsaid",
        "name": "Ibuprofen",
        "route": "oral",
    },
}


def log(patient_client, kind: str, at):
    body = {"client_id": str(uuid.uuid4()), **ENTRIES[kind](at)}
    response = patient_client.post(f"/api/v1/me/{kind}/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_since_keeps_only_what_the_server_received_after_it(physio, our_patient, kind):
    phone = client_for(our_patient.user)
    log(phone, kind, NOW - timedelta(days=1))
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        later = log(phone, kind, NOW - timedelta(days=2))  # made offline earlier, arrived later

    url = f"/api/v1/patients/{our_patient.pk}/{kind}/"
    everything = client_for(physio).get(url).json()
    assert everything["count"] == 2
    since = client_for(physio).get(url, {"since": (NOW + timedelta(minutes=5)).isoformat()}).json()
    assert [r["id"] for r in since["results"]] == [later]
    assert since["count"] == 1


def test_a_malformed_since_is_a_400_naming_it(physio, our_patient):
    response = client_for(physio).get(f"/api/v1/patients/{our_patient.pk}/pain-logs/", {"since": "2026-03-10"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["since"]
