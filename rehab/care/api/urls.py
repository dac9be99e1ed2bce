"""The patient's plan and red-flag table, and a clinician's move to another protocol."""

from django.urls import path

from rehab.care.api.views import PatientEnrollmentViewSet, PlanView, RedFlagView

urlpatterns = [
    path("me/plan/", PlanView.as_view(), name="me-plan"),
    path("red-flags/", RedFlagView.as_view(), name="red-flags"),
    path(
        "patients/<int:patient_id>/enrollments/",
        PatientEnrollmentViewSet.as_view({"post": "create"}),
        name="clinician-patient-enrollments",
    ),
]
