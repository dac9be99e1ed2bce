from django.urls import path, re_path

from rehab.exchange.api import views

urlpatterns = [
    path(
        "fhir/Patient/<int:id>/$everything",
        views.PatientEverythingView.as_view({"get": "everything"}),
        name="fhir-patient-everything",
    ),
    path("fhir/Questionnaire/visa-a", views.QuestionnaireView.as_view(), name="fhir-questionnaire-visa-a"),
    re_path(r"^fhir/", views.fhir_not_found),  # last: any other FHIR path is FHIR's 404
    path("me/export/", views.MeExportView.as_view(), name="me-export"),
    path("patients/<int:id>/erase/", views.PatientEraseView.as_view({"post": "erase"}), name="patient-erase"),
]
