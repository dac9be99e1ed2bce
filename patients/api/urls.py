from django.urls import path

from patients.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshAccessView.as_view(), name="auth-token-refresh"),
    path("auth/activate/", views.ActivateView.as_view(), name="auth-activate"),
    path("me/", views.MeView.as_view(), name="me"),
]
