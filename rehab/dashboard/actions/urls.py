from django.urls import path

from rehab.dashboard.actions import views

urlpatterns = [
    path("patients/new/", views.PatientNewPage.as_view(), name="patient-new"),
    path("patients/new/exercises/", views.ExerciseRowsFragment.as_view(), name="patient-new-exercises"),
    path("patients/new/<uuid:token>/", views.ActivationCodePage.as_view(), name="patient-new-code"),
]
