"""What a clinician records that the rules judge: review outcomes and clinical events."""

from django.urls import path

from rehab.rules.api.views import ClinicalEventViewSet, MilestoneOutcomeViewSet

PATIENT = "patients/<int:patient_id>/"

urlpatterns = [
    path(
        PATIENT + "milestones/<slug:code>/outcome/",
        MilestoneOutcomeViewSet.as_view({"post": "create"}),
        name="clinician-milestone-outcome",
    ),
    path(
        PATIENT + "clinical-events/",
        ClinicalEventViewSet.as_view({"get": "list", "post": "create"}),
        name="clinician-clinical-events",
    ),
]
