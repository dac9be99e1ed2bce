"""Sign-in, activation and the caller's own profile.

Who may sign in: any active user (simplejwt refuses inactive ones with 401).
A discharged patient can still sign in and read their history, and their
phone may still upload entries made while offline before the discharge;
only the plan is gone (404 after discharge) and reminders stop. Discharge
ends their sessions, so the phone signs in again first.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView

from config.api.errors import LockedOut, retry_after
from config.api.schema import error_responses
from config.api.throttling import ActivationThrottle, RefreshThrottle, SignInThrottle
from patients.api.authentication import JWTPatientAuthentication
from patients.api.base import PatientView
from patients.api.serializers import (
    ActivateSerializer,
    DeviceInSerializer,
    DeviceSerializer,
    RefreshInSerializer,
    RefreshTokenSerializer,
    RoleTokenObtainPairSerializer,
    TokenCredentialsSerializer,
    TokenPairSerializer,
)
from patients.services.activation import patient_activate
from patients.services.devices import device_register, device_remove
from patients.services.sessions import session_end, session_refresh, tokens_for

_RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)


class TokenObtainView(TokenObtainPairView):
    serializer_class = RoleTokenObtainPairSerializer
    throttle_classes = (SignInThrottle,)

    @extend_schema(
        summary="Sign in",
        description=(
            "Staff who must pass a second factor (an authenticator app enrolled, or their clinic requires TOTP) "
            "send `otp` too: without it, or with a wrong one, the answer is 401."
        ),
        parameters=[_RETRY_AFTER],
        request=TokenCredentialsSerializer,
        responses={
            200: TokenPairSerializer,
            **error_responses(400, 401, 415),
            429: OpenApiResponse(
                error_responses(429)[429].response,
                description=(
                    "`locked_out`: too many failed sign-ins for this username from this address; "
                    "`throttled`: too many sign-ins from this address, whatever the usernames."
                ),
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


class _RefreshTokenView(APIView):
    """A view the refresh token itself signs in to: a refused token is a 401, as simplejwt's own views answer."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (RefreshThrottle,)

    def get_authenticate_header(self, request) -> str:
        return JWTPatientAuthentication().authenticate_header(request)


class TokenRefreshRotateView(_RefreshTokenView):
    @extend_schema(
        summary="A new pair of tokens for a refresh token, which stops working",
        description=(
            "The refresh token sent is exchanged: it stops working, except that within a short grace "
            "(default 30 seconds) it is exchanged once more, for a phone whose answer was lost. Used again "
            "after that, it ends every session of the sign-in (401), which then signs in again."
        ),
        request=RefreshTokenSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 415)},
    )
    def post(self, request):
        serializer = RefreshInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tokens = session_refresh(**serializer.validated_data)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from None
        return Response(tokens)


class LogoutView(_RefreshTokenView):
    @extend_schema(
        summary="Sign out: the refresh token is revoked",
        description="Access tokens issued with it keep working until they expire (JWT_ACCESS_MINUTES).",
        request=RefreshTokenSerializer,
        responses={204: None, **error_responses(400, 401, 415)},
    )
    def post(self, request):
        serializer = RefreshInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            session_end(**serializer.validated_data)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivateView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ActivationThrottle,)  # code guessing, per address

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
