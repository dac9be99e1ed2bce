from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("patients.api.urls")),  # auth and /me/ profile
    path("api/v1/", include("rehab.api.patient.urls")),  # the phone app: plan, logs, sync, devices, red flags
    path("api/v1/", include("rehab.api.clinician.urls")),  # physiotherapists and clinic admins
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

if settings.BENCH_ENDPOINTS:  # bench/ingest.py only; see rehab/simulation/ceiling.py
    from rehab.simulation.ceiling import pain_log_ceiling

    urlpatterns.append(path("bench/pain-log/", pain_log_ceiling, name="bench-pain-log"))

# JSON errors for /api/ paths that never reach DRF (a refused request, an unknown URL, a crash).
handler400 = "config.api.errors.handler400"
handler404 = "config.api.errors.handler404"
handler500 = "config.api.errors.handler500"
