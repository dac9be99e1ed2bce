"""Reading a patient's clinical events."""

from django.db.models import QuerySet

from rehab.care.models import ClinicalEvent


def patient_clinical_events(*, patient_id: int) -> QuerySet[ClinicalEvent]:
    return ClinicalEvent.objects.filter(patient_id=patient_id).select_related("recorded_by")
