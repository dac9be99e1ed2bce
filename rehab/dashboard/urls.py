"""The physiotherapists' web pages (server-rendered, htmx for the parts that change in place)."""

from django.urls import include, path

app_name = "dashboard"

urlpatterns = [
    # Sign-in, the second factor, sign-out (names: sign-in, sign-out, ...).
    path("", include("rehab.dashboard.auth.urls")),
    # Patients (the landing page at /), one patient, the alerts inbox (names: patients, patient, alerts, alert-count).
    path("", include("rehab.dashboard.pages.urls")),
    # What a physio does from a patient's page, and the new-patient form.
    path("", include("rehab.dashboard.actions.urls")),
    # The clinic's settings (clinic admin only): webhook, deliveries, time zone.
    path("", include("rehab.dashboard.clinic.urls")),
    # Remote therapeutic monitoring: the RTM card's actions, the billing report.
    path("", include("rehab.dashboard.billing.urls")),
]
