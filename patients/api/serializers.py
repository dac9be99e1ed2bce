from zoneinfo import available_timezones

from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import PasswordField, TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from config.api.serializers import ModelSerializer, StrictSerializer, TextField
from patients.models import Device, User

# What zoneinfo finds on disk also holds aliases of the machine's own zone, which are no IANA names.
TIMEZONES = tuple(sorted(available_timezones() - {"localtime", "posixrules", "Factory"}))


HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class RoleTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Tokens carry the role, so the app can choose its screens without a round trip."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # simplejwt's password field trims, activation (like Django's own forms) does not: a
        # password with a space at either end could never sign in. A password is what was typed.
        self.fields["password"] = PasswordField(trim_whitespace=False)

    @classmethod
    def get_token(cls, user: User):
        token = super().get_token(user)
        token["role"] = user.role
        return token


class CheckedTokenRefreshSerializer(TokenRefreshSerializer):
    """A new access token only for a sign-in that still exists, is active and kept its password.

    simplejwt's own refresh crashes (500) on a deleted user and hands out access
    tokens for a refresh token whose password was reset since (a lost phone whose
    patient activated a new code); both are a 401 here.
    """

    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])
        user = User.objects.filter(pk=refresh.payload.get(api_settings.USER_ID_CLAIM)).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
        if api_settings.CHECK_REVOKE_TOKEN and refresh.payload.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The password was changed since this token was issued.", "password_changed")
        return super().validate(attrs)


def tokens_for(user: User) -> dict:
    refresh = RoleTokenObtainPairSerializer.get_token(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


# Documentation of simplejwt's own views (which accept and ignore extra fields).
class TokenCredentialsSerializer(serializers.Serializer):
    username = TextField()
    password = TextField(trim_whitespace=False, style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.RegexField(r"^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+$", help_text="A JWT.")


class TokenAccessSerializer(serializers.Serializer):
    access = serializers.CharField()


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
