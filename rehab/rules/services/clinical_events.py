"""Events a clinician records or plans: injections, imaging, referrals, surgery, bridge immobilisation.

The safety rules run on each in the same transaction, so an alert exists
exactly when the event does (a planned corticosteroid injection at the heel
alerts the clinic at once, before it happens).
"""

from datetime import date

from django.db import transaction

from config.errors import FieldErrors
from patients.models import Patient, User
from rehab.care.models import ClinicalEvent
from rehab.logs.models import MedicationLog
from rehab.rules.services.safety import clinical_event_recorded

# What `details` holds per kind: {key: (allowed values, required)}. Kinds not listed take no details.
DETAILS = {
    ClinicalEvent.Kind.IMAGING: {
        "modality": (("radiograph", "bone_scan"), True),
        "ho_maturity": (("immature", "mature"), False),
    },
    ClinicalEvent.Kind.CORTICOSTEROID_INJECTION: {
        "site": (tuple(MedicationLog.Site.values), True),
    },
}


class ClinicalEventInvalid(FieldErrors):
    """Details a kind does not take, or values it does not allow, per `details.<key>`."""


def clinical_event_details_clean(kind: str, details: dict) -> dict:
    """The details a kind allows, each with an allowed value; raises ClinicalEventInvalid naming each bad key."""
    allowed = DETAILS.get(kind, {})
    errors: dict[str, list[str]] = {}
    for key in details:
        if key not in allowed:
            errors[f"details.{key}"] = [f"Not a detail of {kind}."]
    for key, (values, required) in allowed.items():
        value = details.get(key)
        if value is None:
            if required:
                errors[f"details.{key}"] = ["This field is required."]
        elif value not in values:
            errors[f"details.{key}"] = [f"Must be one of: {', '.join(values)}."]
    if errors:
        raise ClinicalEventInvalid(errors)
    return {key: value for key, value in details.items() if value is not None}


@transaction.atomic
def clinical_event_record(
    *, patient: Patient, kind: str, on: date, details: dict, note: str = "", by: User
) -> ClinicalEvent:
    """Record (or plan: `on` may be in the future) a clinical event, and run the safety rules on it."""
    event = ClinicalEvent.objects.create(
        patient=patient,
        kind=kind,
        date=on,
        details=clinical_event_details_clean(kind, details),
        note=note,
        recorded_by=by,
    )
    clinical_event_recorded(event)
    return event
