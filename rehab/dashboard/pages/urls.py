from django.urls import path

from rehab.dashboard.pages import views

urlpatterns = [
    path("", views.PatientsPage.as_view(), name="patients"),
    path("patients/<int:id>/", views.PatientPage.as_view(), name="patient"),
    path("alerts/", views.AlertsInbox.as_view(), name="alerts"),
    path("alerts/open-count/", views.AlertCount.as_view(), name="alert-count"),
    path("alerts/<int:alert_id>/acknowledge/", views.AlertAcknowledge.as_view(), name="alert-acknowledge"),
    path("alerts/<int:alert_id>/resolve/", views.AlertResolve.as_view(), name="alert-resolve"),
]
