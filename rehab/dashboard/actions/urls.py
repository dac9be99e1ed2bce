from django.urls import path

from rehab.dashboard.actions import patient_actions, views

urlpatterns = [
    path("patients/new/", views.PatientNewPage.as_view(), name="patient-new"),
    path("patients/new/exercises/", views.ExerciseRowsFragment.as_view(), name="patient-new-exercises"),
    path("patients/new/<uuid:token>/", views.ActivationCodePage.as_view(), name="patient-new-code"),
]

# The patient page's actions (rehab.dashboard.actions.patient_actions), each the API's change of the same name.
ACT = "patients/<int:id>/actions/"
urlpatterns += [
    path(f"{ACT}outcome/", patient_actions.OutcomeRecord.as_view(), name="patient-outcome"),
    path(f"{ACT}clinical-event/", patient_actions.ClinicalEventRecord.as_view(), name="patient-clinical-event"),
    path(f"{ACT}move/", patient_actions.ProtocolMove.as_view(), name="patient-move"),
    path(f"{ACT}record/", patient_actions.RecordChange.as_view(), name="patient-record"),
    path(f"{ACT}discharge/", patient_actions.Discharge.as_view(), name="patient-discharge"),
    path(f"{ACT}activation-code/", patient_actions.ActivationCodeIssue.as_view(), name="patient-activation-code-new"),
    path(
        f"{ACT}activation-code/<uuid:token>/",
        patient_actions.ActivationCodePage.as_view(),
        name="patient-activation-code",
    ),
]
