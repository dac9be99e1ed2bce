from django.urls import path

from rehab.dashboard.clinic import views

urlpatterns = [
    path("clinic/settings/", views.ClinicSettingsPage.as_view(), name="clinic-settings"),
    path("clinic/settings/deliveries/", views.DeliveriesFragment.as_view(), name="clinic-deliveries"),
    path("clinic/settings/webhook/", views.WebhookSave.as_view(), name="clinic-webhook-save"),
    path("clinic/settings/webhook/secret/", views.WebhookRotateSecret.as_view(), name="clinic-webhook-rotate"),
    path("clinic/settings/webhook/test/", views.WebhookSendTest.as_view(), name="clinic-webhook-test"),
    path("clinic/settings/time-zone/", views.TimeZoneSave.as_view(), name="clinic-time-zone"),
]
