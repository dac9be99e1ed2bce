"""Clinician endpoints: physiotherapists and clinic admins, own clinic only."""

from django.urls import path

from rehab.api.clinician.alerts import AlertViewSet
from rehab.api.clinician.patients import PatientViewSet
from rehab.api.clinician.records import (
    ClinicalEventViewSet,
    MilestoneOutcomeViewSet,
    PatientEnrollmentViewSet,
    PatientLogViewSet,
)
from rehab.api.clinician.webhook import ClinicWebhookViewSet
from rehab.selectors.patients import LOG_KINDS

PATIENT = "patients/<int:patient_id>/"

urlpatterns = [
    path("patients/", PatientViewSet.as_view({"get": "list", "post": "create"}), name="clinician-patients"),
    path(
        "patients/<int:id>/",
        PatientViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="clinician-patient",
    ),
    path(
        "patients/<int:id>/activation-code/",
        PatientViewSet.as_view({"post": "activation_code"}),
        name="clinician-patient-activation-code",
    ),
    path(
        PATIENT + "enrollments/",
        PatientEnrollmentViewSet.as_view({"post": "create"}),
        name="clinician-patient-enrollments",
    ),
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
    *(
        path(PATIENT + f"{kind}/", PatientLogViewSet.as_view({"get": "list"}, kind=kind), name=f"clinician-{kind}")
        for kind in LOG_KINDS
    ),
    path("alerts/", AlertViewSet.as_view({"get": "list"}), name="clinician-alerts"),
    path("alerts/<int:alert_id>/acknowledge/", AlertViewSet.as_view({"post": "acknowledge"}), name="alert-ack"),
    path("alerts/<int:alert_id>/resolve/", AlertViewSet.as_view({"post": "resolve"}), name="alert-resolve"),
    path("clinic/webhook/", ClinicWebhookViewSet.as_view({"get": "retrieve", "put": "update"}), name="clinic-webhook"),
]
