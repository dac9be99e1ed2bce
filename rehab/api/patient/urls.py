from django.urls import path

from rehab.api.patient import views

urlpatterns = [
    path("me/plan/", views.PlanView.as_view(), name="me-plan"),
    path("me/pain-logs/", views.PainLogView.as_view(), name="me-pain-logs"),
    path("me/exercise-logs/", views.ExerciseLogView.as_view(), name="me-exercise-logs"),
    path("me/visa-a/", views.VisaAView.as_view(), name="me-visa-a"),
    path("me/symptom-reports/", views.SymptomReportView.as_view(), name="me-symptom-reports"),
    path("me/medication-logs/", views.MedicationLogView.as_view(), name="me-medication-logs"),
    path("me/sync/", views.SyncView.as_view(), name="me-sync"),
    path("me/devices/", views.DeviceView.as_view(), name="me-devices"),
    # path: a web push token may hold slashes; DELETE must reach every token POST accepted.
    path("me/devices/<path:token>/", views.DeviceDetailView.as_view(), name="me-device"),
    path("red-flags/", views.RedFlagView.as_view(), name="red-flags"),
]
