from zoneinfo import available_timezones

from django.contrib.auth.models import update_last_login
from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import PasswordField, TokenObtainPairSerializer, TokenObtainSerializer
from rest_framework_simplejwt.settings import api_settings

from config.api.serializers import ModelSerializer, StrictSerializer, TextField
from patients.models import Device, User
from patients.services.second_factor import (
    must_enrol,
    requires_second_factor,
    second_factor_refused,
    second_factor_verify,
)
from patients.services.sessions import refresh_token_for
from patients.services.sessions import tokens_for as tokens_for  # where the tests have always found it

# What zoneinfo finds on disk also holds aliases of the machine's own zone, which are no IANA names.
TIMEZONES = tuple(sorted(available_timezones() - {"localtime", "posixrules", "Factory"}))


HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class RoleTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Sign-in: simplejwt's, with the tokens of patients.services.sessions (role and token version inside)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # simplejwt's password field trims, activation (like Django's own forms) does not: a
        # password with a space at either end could never sign in. A password is what was typed.
        self.fields["password"] = PasswordField(trim_whitespace=False)
        self.fields["otp"] = TextField(required=False, max_length=32, write_only=True)  # as documented below

    def validate(self, attrs):
        # The password first (django-axes counts a wrong one), then the second factor where it applies
        # (patients.services.second_factor), and only then are tokens made.
        TokenObtainSerializer.validate(self, attrs)
        if requires_second_factor(self.user):
            self._check_second_factor(attrs.get("otp", ""))
        refresh = self.get_token(self.user)
        if api_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, self.user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}

    def _check_second_factor(self, otp: str) -> None:
        if must_enrol(self.user):
            raise AuthenticationFailed(
                "Your clinic requires a TOTP code: set up an authenticator app on the dashboard first.", "otp_enrol"
            )
        if not otp:
            raise AuthenticationFailed("A TOTP code (`otp`) is required for this sign-in.", "otp_required")
        if second_factor_verify(user=self.user, code=otp) is None:
            # Counted as a failed sign-in: the view answers `locked_out` once the limit is reached.
            second_factor_refused(request=self.context["request"], username=self.user.get_username())
            raise AuthenticationFailed("The TOTP code is not right, or was used already.", "otp_invalid")

    @classmethod
    def get_token(cls, user: User):
        return refresh_token_for(user)


class RefreshInSerializer(serializers.Serializer):
    """What refresh and sign-out read; a token that is no JWT is refused as any bad token is (401)."""

    refresh = serializers.CharField(trim_whitespace=False)


# Documentation of simplejwt's own views (which accept and ignore extra fields).
class TokenCredentialsSerializer(serializers.Serializer):
    username = TextField()
    password = TextField(trim_whitespace=False, style={"input_type": "password"})
    otp = TextField(
        required=False,
        max_length=32,
        help_text=(
            "Staff who must pass a second factor (an authenticator app enrolled, or the clinic requires TOTP): "
            "the app's current 6-digit TOTP code, or one of their one-time backup codes. Without it, or wrong, "
            "the answer is 401; a wrong code counts as a failed sign-in toward the lock-out."
        ),
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.RegexField(r"^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+$", help_text="A JWT.")


class ActivateSerializer(StrictSerializer):
    activation_code = TextField(max_length=40)
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = TextField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class DeviceInSerializer(StrictSerializer):
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    token = TextField(max_length=512, help_text="The push service's token for this app install.")


class DeviceSerializer(ModelSerializer):
    class Meta:
        model = Device
        fields = ("platform", "token", "created_at", "last_seen_at")
