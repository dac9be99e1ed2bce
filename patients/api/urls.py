from django.urls import path

from patients.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/activate/", views.ActivateView.as_view(), name="auth-activate"),
    path("me/devices/", views.DeviceView.as_view(), name="me-devices"),
    # path: a web push token may hold slashes; DELETE must reach every token POST accepted.
    path("me/devices/<path:token>/", views.DeviceDetailView.as_view(), name="me-device"),
]
