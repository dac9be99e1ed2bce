import pytest

from protocols.definition import SYMPTOMS
from tests.support.patient_api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

RED_FLAGS = "/api/v1/red-flags/"


def rows_by(body):
    return {(r["symptom"], r["care"]): r for r in body["results"]}


def test_the_table_has_every_symptom_for_both_cares(patient_client):
    body = patient_client.get(RED_FLAGS).json()
    assert body["count"] == 2 * len(SYMPTOMS) == len(body["results"])
    assert body["care"] == "conservative"
    rows = rows_by(body)
    assert rows[("calf_pain", "post_surgical")]["tier"] == "same_day"
    assert rows[("calf_pain", "conservative")]["tier"] == "next_working_day"
    assert rows[("chest_pain", "conservative")]["tier"] == "emergency"
    assert rows[("chest_pain", "post_surgical")]["advice"] == "Call emergency services now."


def test_a_post_surgical_patient_is_told_their_care(post_surgical_patient):
    body = client_for(post_surgical_patient.user).get(RED_FLAGS).json()
    assert body["care"] == "post_surgical"


def test_staff_can_read_the_table_too(physio_client):
    response = physio_client.get(RED_FLAGS)
    assert response.status_code == 200
    assert response.json()["care"] is None
    assert response.json()["count"] == 2 * len(SYMPTOMS)
