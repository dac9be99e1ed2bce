from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import health

# URLs resolve in this order, pattern by pattern: the phone's logging (intake), nearly every request, first.
API_APPS = (
    "rehab.intake",
    "patients",
    "rehab.care",
    "rehab.alerts",
    "rehab.rules",
    "rehab.records",
    "rehab.billing",
    "rehab.exchange",
)

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    # Each app's API, included by name: config imports no app.
    *(path("api/v1/", include(f"{app}.api.urls")) for app in API_APPS),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # The physiotherapists' web dashboard: everything not under /api/, /admin/ or /health/.
    path("", include("rehab.dashboard.urls")),
]

# JSON errors for /api/ paths that never reach DRF (a refused request, an unknown URL, a crash).
handler400 = "config.api.errors.handler400"
handler404 = "config.api.errors.handler404"
handler500 = "config.api.errors.handler500"
