from django.contrib import admin
from django.urls import include, path

from config.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("patients.api.urls")),  # auth and /me/ profile
    path("api/v1/", include("rehab.api.patient.urls")),  # the phone app: plan, logs, sync, devices, red flags
    path("api/v1/", include("rehab.api.clinician.urls")),  # physiotherapists and clinic admins
]
