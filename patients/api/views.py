"""Sign-in, activation and the caller's own profile.

Who may sign in: any active user (simplejwt refuses inactive ones with 401).
A discharged patient can still sign in and read their history, and their
phone may still upload entries made while offline before the discharge;
only the plan is gone (404 after discharge) and reminders stop.
"""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from config.api.errors import LockedOut, retry_after
from config.api.schema import error_responses
from patients.api import serializers as s
from patients.models import User
from patients.selectors import me_profile
from patients.services import FieldErrors, ProfileForbidden, me_update, patient_activate

_RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)


class TokenObtainView(TokenObtainPairView):
    serializer_class = s.RoleTokenObtainPairSerializer

    @extend_schema(
        summary="Sign in",
        parameters=[_RETRY_AFTER],
        request=s.TokenCredentialsSerializer,
        responses={
            200: s.TokenPairSerializer,
            **error_responses(400, 401, 415),
            429: OpenApiResponse(
                error_responses(429)[429].response,
                description="`locked_out`: too many failed sign-ins for this username from this address.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            # django-axes flags the request it was given (DRF's) when the username
            # and address are locked out; the failure that reaches the limit counts.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(retry_after(request)) from None
            raise


class TokenRefreshAccessView(TokenRefreshView):
    serializer_class = s.CheckedTokenRefreshSerializer

    @extend_schema(
        summary="A new access token from a refresh token",
        request=s.RefreshTokenSerializer,
        responses={200: s.TokenAccessSerializer, **error_responses(400, 401, 415)},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ActivateView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="A patient's first sign-in with the activation code from the clinic",
        request=s.ActivateSerializer,
        responses={201: s.TokenPairSerializer, **error_responses(400, 415)},
    )
    def post(self, request):
        serializer = s.ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            try:
                user = patient_activate(**serializer.validated_data)
            except FieldErrors as exc:
                raise ValidationError(exc.errors) from None
        return Response(s.tokens_for(user), status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(summary="The caller's profile", responses={200: s.MeSerializer})
    def get(self, request):
        return Response(s.MeSerializer(me_profile(_me(request))).data)

    @extend_schema(
        summary="Change the caller's profile: display name; for a patient also timezone and quiet hours",
        description="Staff sending `timezone` or `quiet_hours` get 403: only patients have them.",
        request=s.MeUpdateSerializer,
        responses={200: s.MeSerializer, **error_responses(403)},
    )
    def patch(self, request):
        serializer = s.MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            me_update(user=request.user, data=serializer.validated_data)
        except ProfileForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(s.MeSerializer(me_profile(_me(request))).data)


def _me(request) -> User:
    return User.objects.select_related("clinic", "patient__clinic").get(pk=request.user.pk)
