"""A patient's record as clinicians read and change it, and the /me/ profile."""

from django.urls import path

from rehab.records.api.me import MeView
from rehab.records.api.views import PatientViewSet

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
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
]
