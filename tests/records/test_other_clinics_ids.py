"""An id of another clinic's sign-in reads exactly as an id nobody has: the answer confirms nothing."""

import pytest

from patients.models import Patient, User
from rehab.alerts.services.alerts import alert_raise
from tests.factories import PatientFactory, enrolled_patient
from tests.support.clinician_api import TODAY
from tests.support.patient_api import client_for

pytestmark = pytest.mark.usefixtures("frozen_now")


def new_patient(**fields) -> dict:
    return {
        "display_name": "Mo",
        "timezone": "Europe/Berlin",
        "side": "left",
        "condition": "achilles_heterotopic_ossification",
        "protocol": "conservative-achilles-ho",
        "start_date": TODAY.isoformat(),
        **fields,
    }


def nobodys_id() -> int:
    return User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000


def answers_alike(physio, send, pk: int) -> bool:
    """Whether sending `pk` is answered as sending an id nobody has (the message repeats the id sent)."""
    nobody = nobodys_id()
    theirs, nobodys = (send(client_for(physio), sent) for sent in (pk, nobody))
    assert theirs.status_code == nobodys.status_code == 400
    return str(theirs.json()) == str(nobodys.json()).replace(f'"{nobody}"', f'"{pk}"')


def change(our_patient):
    url = f"/api/v1/patients/{our_patient.pk}/"
    return lambda client, pk: client.patch(url, {"assigned_physio": pk}, format="json")


def create(client, pk):
    return client.post("/api/v1/patients/", new_patient(assigned_physio=pk), format="json")


def test_changing_the_physio_to_another_clinics_physio_answers_as_to_nobody(physio, other_physio, our_patient):
    assert answers_alike(physio, change(our_patient), other_physio.pk)


def test_creating_a_patient_with_another_clinics_physio_answers_as_with_nobody(physio, other_physio):
    assert answers_alike(physio, create, other_physio.pk)


def test_another_clinics_patient_sign_in_answers_as_nobody(physio, our_patient):
    elsewhere = PatientFactory()  # another clinic's patient, with a sign-in
    assert answers_alike(physio, change(our_patient), elsewhere.user_id)


def test_a_sign_in_of_our_clinic_that_is_no_physio_is_refused_by_what_it_is(physio, our_patient):
    response = change(our_patient)(client_for(physio), our_patient.user_id)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["assigned_physio"] == ["Not a physiotherapist of this clinic."]


# --- the same class of leak elsewhere: ids of another clinic's objects in paths and queries ---------------------
def nobodys_patient_id() -> int:
    return Patient.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000


def test_another_clinics_alerts_filtered_by_their_patient_read_as_a_patient_nobody_has(physio):
    theirs = enrolled_patient(start=TODAY)  # another clinic's patient, with an open alert
    alert_raise(patient=theirs, code="corticosteroid_injection", reason="Heel.", evidence={})
    client = client_for(physio)
    listed = client.get(f"/api/v1/alerts/?patient={theirs.pk}")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert listed.json() == client.get(f"/api/v1/alerts/?patient={nobodys_patient_id()}").json()


@pytest.mark.parametrize("path", ["", "pain-logs/", "enrollments/", "clinical-events/"])
def test_another_clinics_patient_in_a_path_reads_as_a_patient_nobody_has(physio, path):
    theirs = enrolled_patient(start=TODAY)
    client = client_for(physio)
    answer = client.get(f"/api/v1/patients/{theirs.pk}/{path}")
    assert answer.status_code == 404
    assert answer.json() == client.get(f"/api/v1/patients/{nobodys_patient_id()}/{path}").json()
