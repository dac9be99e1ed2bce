"""The signed-in users a process keeps: read again whenever the database says either row changed.

After a user's first request in a process, a request reads only the user's and the patient's stamps,
which database triggers renew on every change to either row, whatever wrote it. So a change made by
a QuerySet.update(), raw SQL or another process is what the next request sees, and what one request
sets on its user or patient never reaches another.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from patients.api.authentication import _SignIns
from patients.models import Patient, User
from tests.patients.test_authentication import ME, authenticate, bearer

pytestmark = [
    pytest.mark.usefixtures("frozen_now"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamps' triggers are PostgreSQL's"),
]


def signed_in_twice(user) -> tuple[str, list[str]]:
    """A token of `user` used twice, and the SQL of its second sign-in."""
    token = str(AccessToken.for_user(user))
    authenticate(token)
    with CaptureQueriesContext(connection) as queries:
        authenticate(token)
    return token, [q["sql"] for q in queries.captured_queries]


def test_a_kept_user_s_request_reads_only_the_two_stamps(patient):
    _, sql = signed_in_twice(patient.user)
    assert len(sql) == 1
    assert '"patients_user"."row_stamp"' in sql[0] and '"patients_patient"."enrollments_stamp"' in sql[0]
    assert '"patients_user"."password"' not in sql[0]  # not the user's row: its stamps


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE patients_user SET is_active = false WHERE id = %s",
        "UPDATE patients_user SET token_version = token_version + 1 WHERE id = %s",
        "DELETE FROM patients_user WHERE id = %s",
    ],
)
def test_a_change_to_the_user_row_by_any_writer_refuses_the_next_request(patient, client, change):
    token, _ = signed_in_twice(patient.user)
    assert client.get(ME, **bearer(token)).status_code == 200
    with connection.cursor() as cursor:
        if change.startswith("DELETE"):
            cursor.execute("UPDATE patients_patient SET user_id = NULL WHERE user_id = %s", [patient.user_id])
        cursor.execute(change, [patient.user_id])
    assert client.get(ME, **bearer(token)).status_code == 401


def test_a_change_to_either_row_by_an_update_is_what_the_next_request_sees(patient, client):
    token, _ = signed_in_twice(patient.user)
    User.objects.filter(pk=patient.user_id).update(display_name="Renamed by an update")
    Patient.objects.filter(pk=patient.pk).update(timezone="Asia/Kolkata")
    user, _ = authenticate(token)
    assert user.display_name == "Renamed by an update"
    assert user.patient.timezone == "Asia/Kolkata"


def test_a_patient_row_removed_from_the_user_is_seen(patient):
    token, _ = signed_in_twice(patient.user)
    Patient.objects.filter(pk=patient.pk).update(user=None)
    user, _ = authenticate(token)
    with pytest.raises(Patient.DoesNotExist):
        user.patient  # noqa: B018


def test_each_request_gets_its_own_user_and_patient(patient):
    overrides = [{"exercise": "heel_raise", "sets": [3, 15]}]
    Patient.objects.filter(pk=patient.pk).update(
        comorbidities=["diabetes"], biomechanics={"heel_varus": True}, exercise_overrides=overrides
    )
    token, _ = signed_in_twice(patient.user)
    first, _ = authenticate(token)
    first.display_name = "set by one request"
    first.patient.comorbidities.append("anticoagulated")
    first.patient.biomechanics["pes_planus"] = True
    first.patient.exercise_overrides[0]["sets"].append(99)  # a value nested in the JSON: copied too
    first.patient.timezone = "Asia/Tokyo"
    second, _ = authenticate(token)
    assert second is not first and second.patient is not first.patient
    assert second.patient.user is second and first.patient.user is first
    assert second.display_name != "set by one request"
    assert second.patient.comorbidities == ["diabetes"]
    assert second.patient.biomechanics == {"heel_varus": True}
    assert second.patient.exercise_overrides == overrides
    assert second.patient.timezone == patient.timezone


def test_the_users_kept_are_bounded(patient, physio):
    kept = _SignIns(size=1)
    users = [User.objects.select_related("patient").get(pk=pk) for pk in (patient.user_id, physio.pk)]
    for user in users:
        kept.keep(("id", user.pk), user)
    patient_stamps = (users[0].row_stamp, users[0].patient.enrollments_stamp)
    assert kept.get(("id", patient.user_id), patient_stamps) is None
    assert kept.get(("id", physio.pk), (users[1].row_stamp, None)) is not None
