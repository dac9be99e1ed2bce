"""Erasure of a patient (GDPR article 17): what identifies the person goes, the medical record stays.

What goes: the clinic's label (it becomes the pseudonym "Erased patient #<id>", which every list,
page and export then shows), the sign-in's username, names, email and password, its tokens
(blacklisted, their text blanked, and the token version raised so access tokens stop too), push
devices, reminders (with their push deliveries), every free text typed about the patient (notes on
logs, milestones, clinical events and alerts; enrolment reasons; medication names and indications),
the patient's name in outbox payloads, deliveries not yet sent, and the sign-in's traces in the
lock-out and admin logs and in audited query strings.

What stays, under the patient's id: logs' values and times, enrolments and milestones with their
dates and outcomes, clinical events, alerts with their generated reasons, billing figures, and the
audit trail, which gains that the erasure happened, by whom and when. The clinic hears of it by a
`patient.erased` webhook event carrying that id.
"""

from urllib.parse import quote, quote_plus

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from config import clock
from config.errors import Conflict
from patients.models import ActivationCode, AuditEntry, Device, Patient, User
from patients.services.audit import audit_record
from patients.services.sessions import sessions_end
from rehab.alerts.models import Alert, AlertEvent, Delivery, DeliveryAttempt
from rehab.alerts.services.patient_events import patient_erased_event_write
from rehab.billing.models import ClosedRow
from rehab.billing.services.erasure import time_entry_notes_erase
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.exchange.models import Erasure
from rehab.logs.models import MedicationLog, PainLog, SymptomReport
from rehab.reminders.models import Reminder


class PatientStillInCare(Conflict):
    """Only a discharged patient is erased: an active one is still being treated."""


def pseudonym(patient_id: int) -> str:
    return f"Erased patient #{patient_id}"


@transaction.atomic
def patient_erase(*, patient: Patient, by: User, ip_address: str | None = None) -> tuple[Erasure, bool]:
    """Erase a discharged patient's identity; returns (the erasure, whether this call did it).

    A second call changes nothing and answers the first erasure.
    """
    patient = Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient.pk)
    done = Erasure.objects.filter(patient=patient).first()
    if done is not None:
        return done, False
    if patient.status != Patient.Status.DISCHARGED:
        raise PatientStillInCare("Discharge the patient before erasing them.")
    now = clock.now()
    names = _identifying_texts(patient)
    patient.display_name = pseudonym(patient.pk)
    patient.save(update_fields=["display_name"])
    if patient.user is not None:
        _sign_in_erase(patient.user, names=names)
    _own_rows_erase(patient, now=now)
    _outbox_erase(patient, now=now)
    _billing_erase(patient)
    _traces_erase(patient, names=names)
    erasure = Erasure.objects.create(patient=patient, erased_by=by, erased_at=now)
    audit_record(
        actor=by, action="erase", resource=f"patients/{patient.pk}", patient_ids=[patient.pk], ip_address=ip_address
    )
    patient_erased_event_write(clinic_id=patient.clinic_id, patient_id=patient.pk)
    return erasure, True


def _identifying_texts(patient: Patient) -> set[str]:
    """Every name the person went by here: the clinic's label, the sign-in's username and names."""
    user = patient.user
    texts = {patient.display_name}
    if user is not None:
        texts |= {user.username, user.display_name, user.first_name, user.last_name, user.email}
    return {t for t in texts if t and t.strip()}


def _sign_in_erase(user: User, *, names: set[str]) -> None:
    old_username = user.username
    user.username = f"erased-patient-{user.patient.pk}"
    user.display_name = user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save()
    sessions_end(user=user)  # access tokens: refused at their next request
    outstanding = OutstandingToken.objects.filter(user=user)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in outstanding.values_list("pk", flat=True)], ignore_conflicts=True
    )
    # The jti stays, so the blacklist still refuses the token; the token itself goes.
    outstanding.update(token="")
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=old_username).delete()


def _own_rows_erase(patient: Patient, *, now) -> None:
    Device.objects.filter(patient=patient).delete()
    Reminder.objects.filter(patient=patient).delete()  # their push deliveries (device tokens) with them
    ActivationCode.objects.filter(patient=patient, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    PainLog.objects.filter(patient=patient).update(note="")
    SymptomReport.objects.filter(patient=patient).update(note="")
    MedicationLog.objects.filter(patient=patient).exclude(indication=MedicationLog.HO_PROPHYLAXIS).update(indication="")
    MedicationLog.objects.filter(patient=patient).update(name="")
    Enrollment.objects.filter(patient=patient).update(reason="", end_reason="")
    Milestone.objects.filter(enrollment__patient=patient).update(note="")
    ClinicalEvent.objects.filter(patient=patient).update(note="")
    Alert.objects.filter(patient=patient).update(acknowledge_note="", resolve_note="")


def _outbox_erase(patient: Patient, *, now) -> None:
    """Payloads name the pseudonym; nothing not yet sent goes out; sent ones keep no echo of a body."""
    events = AlertEvent.objects.filter(alert__patient=patient)
    for event in events.select_for_update():
        alert = event.payload.get("alert", {})
        if "patient" in alert:
            alert["patient"]["display_name"] = patient.display_name
            event.save(update_fields=["payload"])
    events.filter(dispatched_at__isnull=True).update(dispatched_at=now)  # never fanned out now
    deliveries = Delivery.objects.filter(event__alert__patient=patient)
    deliveries.filter(status=Delivery.Status.PENDING).delete()
    deliveries.update(last_error="")
    DeliveryAttempt.objects.filter(delivery__event__alert__patient=patient).update(error="")


def _billing_erase(patient: Patient) -> None:
    """Closed months keep their figures, frozen as they were, under the pseudonym; time entries keep
    their minutes and calls, and lose their notes (the one change billing's append-only trigger allows)."""
    time_entry_notes_erase(patient=patient)
    for row in ClosedRow.objects.select_for_update().filter(patient=patient):
        row.figures["patient"]["display_name"] = patient.display_name
        row.save(update_fields=["figures"])


def _traces_erase(patient: Patient, *, names: set[str]) -> None:
    """A name typed into a search (`?search=...`) is kept by the audit trail's paths: the query goes."""
    for name in names:
        for form in {name, quote(name), quote_plus(name)}:
            for entry in AuditEntry.objects.filter(resource__icontains=form):
                entry.resource = entry.resource.split("?", 1)[0]
                entry.save(update_fields=["resource"])
    for model in (Patient, User):
        object_id = patient.pk if model is Patient else patient.user_id
        if object_id is None:
            continue
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=str(object_id)).update(
            object_repr=pseudonym(patient.pk), change_message=""
        )
