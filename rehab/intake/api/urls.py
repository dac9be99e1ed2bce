"""The patient's logs: the phone's endpoints and sync, and the clinician's lists."""

from django.urls import path

from rehab.intake.api import views
from rehab.intake.api.clinician import PatientLogViewSet
from rehab.intake.selectors import LOG_KINDS

urlpatterns = [
    path("me/pain-logs/", views.PainLogView.as_view(), name="me-pain-logs"),
    path("me/exercise-logs/", views.ExerciseLogView.as_view(), name="me-exercise-logs"),
    path("me/visa-a/", views.VisaAView.as_view(), name="me-visa-a"),
    path("me/symptom-reports/", views.SymptomReportView.as_view(), name="me-symptom-reports"),
    path("me/medication-logs/", views.MedicationLogView.as_view(), name="me-medication-logs"),
    path("me/sync/", views.SyncView.as_view(), name="me-sync"),
    *(
        path(
            f"patients/<int:patient_id>/{kind}/",
            PatientLogViewSet.as_view({"get": "list"}, kind=kind),
            name=f"clinician-{kind}",
        )
        for kind in LOG_KINDS
    ),
]
