"""Sign-in, activation and the caller's own profile.

Who may sign in: any active user (simplejwt refuses inactive ones with 401).
A discharged patient can still sign in and read their history, and their
phone may still upload entries made while offline before the discharge;
only the plan is gone (404 after discharge) and reminders stop.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from config.api.errors import LockedOut, retry_after
from config.api.schema import error_responses
from patients.api.base import PatientView
from patients.api.serializers import (
    ActivateSerializer,
    CheckedTokenRefreshSerializer,
    DeviceInSerializer,
    DeviceSerializer,
    RefreshTokenSerializer,
    RoleTokenObtainPairSerializer,
    TokenAccessSerializer,
    TokenCredentialsSerializer,
    TokenPairSerializer,
    tokens_for,
)
from patients.services.activation import patient_activate
from patients.services.devices import device_register, device_remove

_RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)


class TokenObtainView(TokenObtainPairView):
    serializer_class = RoleTokenObtainPairSerializer

    @extend_schema(
        summary="Sign in",
        parameters=[_RETRY_AFTER],
        request=TokenCredentialsSerializer,
        responses={
            200: TokenPairSerializer,
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
    serializer_class = CheckedTokenRefreshSerializer

    @extend_schema(
        summary="A new access token from a refresh token",
        request=RefreshTokenSerializer,
        responses={200: TokenAccessSerializer, **error_responses(400, 401, 415)},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ActivateView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="A patient's first sign-in with the activation code from the clinic",
        request=ActivateSerializer,
        responses={201: TokenPairSerializer, **error_responses(400, 415)},
    )
    def post(self, request):
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = patient_activate(**serializer.validated_data)
        return Response(tokens_for(user), status=status.HTTP_201_CREATED)


class DeviceView(PatientView):
    @extend_schema(
        summary="Register a push token",
        request=DeviceInSerializer,
        responses={
            201: DeviceSerializer,
            200: OpenApiResponse(DeviceSerializer, description="The token was known: attached and enabled again."),
        },
    )
    def post(self, request):
        serializer = DeviceInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = device_register(patient=self.patient, **serializer.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeviceSerializer(device).data, status=code)


class DeviceDetailView(PatientView):
    @extend_schema(summary="Remove a push token (sign-out)", responses={204: None})
    def delete(self, request, token: str):
        if not device_remove(patient=self.patient, token=token):
            raise NotFound("No such device.")
        return Response(status=status.HTTP_204_NO_CONTENT)
