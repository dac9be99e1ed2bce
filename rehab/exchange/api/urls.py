from django.urls import path, re_path

from rehab.exchange.api import bulk, views

urlpatterns = [
    path(
        "fhir/Patient/<int:id>/$everything",
        views.PatientEverythingView.as_view({"get": "everything"}),
        name="fhir-patient-everything",
    ),
    path("fhir/Questionnaire/visa-a", views.QuestionnaireView.as_view(), name="fhir-questionnaire-visa-a"),
    path("fhir/Group/<int:clinic_id>/$export", bulk.BulkKickOffView.as_view(), name="fhir-group-export"),
    path("fhir/bulk-status/<uuid:export_id>", bulk.BulkStatusView.as_view(), name="fhir-bulk-status"),
    path(
        "fhir/bulk-files/<uuid:export_id>/<str:resource_type>.ndjson",
        bulk.BulkFileView.as_view(),
        name="fhir-bulk-file",
    ),
    re_path(r"^fhir/", views.fhir_not_found),  # last: any other FHIR path is FHIR's 404
    path("me/export/", views.MeExportView.as_view(), name="me-export"),
    path("patients/<int:id>/erase/", views.PatientEraseView.as_view({"post": "erase"}), name="patient-erase"),
]
