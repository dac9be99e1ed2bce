"""Sign-in sessions: the tokens a sign-in is given, their rotation, sign-out, and ending them all.

A session is a chain of refresh tokens. Each refresh exchanges the token for a new pair and the
old one stops working (rotation), except that within JWT_REFRESH_GRACE_SECONDS it may be exchanged
once more: a phone whose answer was lost sends the same token again and is not signed out for good.

Any other use of an exchanged token is a replay: someone holds a copy. Which of the two holders is
the thief cannot be told, so a replay ends every session of the sign-in (OAuth's refresh token
reuse detection), and the rightful owner signs in again. Before that, a thief who exchanged a
stolen token first keeps a session only until the owner's phone next refreshes.

Refused tokens raise simplejwt's TokenError, as simplejwt's own token checks do; the views answer
it as `not_authenticated`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from config import clock
from patients.models import RotatedRefreshToken, User

TOKEN_VERSION_CLAIM = "token_version"


def refresh_token_for(user: User) -> RefreshToken:
    """A new refresh token (listed as outstanding) carrying the role and the sign-in's token version."""
    token = RefreshToken.for_user(user)
    token["role"] = user.role  # the app chooses its screens without a round trip
    token[TOKEN_VERSION_CLAIM] = user.token_version
    return token


def tokens_for(user: User) -> dict[str, str]:
    refresh = refresh_token_for(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_is_current(token, user: User) -> bool:
    """Whether the token was issued under the sign-in's current token version (tokens from before it had one: 0)."""
    return token.get(TOKEN_VERSION_CLAIM, 0) == user.token_version


def sessions_end(*, user: User) -> None:
    """Every token of the sign-in stops working: access tokens at their next request, refresh tokens at once."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])


def session_refresh(*, refresh: str) -> dict[str, str]:
    """A new pair for a refresh token; the one sent stops working (but for the grace). Raises TokenError."""
    token = RefreshToken(refresh)  # signature, expiry, type, and not signed out
    replayed_by, tokens = _rotate(token)
    if replayed_by is not None:
        sessions_end(user=replayed_by)  # committed: the refusal below must not undo it
        raise TokenError("This refresh token was already used; every session of this sign-in has ended.")
    return tokens


def session_end(*, refresh: str) -> None:
    """Sign-out: the refresh token is revoked (simplejwt's blacklist). Raises TokenError for one that is not live."""
    token = RefreshToken(refresh)
    with transaction.atomic():
        _live_user(token)
        rotation = RotatedRefreshToken.objects.filter(token=_outstanding_locked(token)).first()
        if rotation is not None and not _graced(rotation):
            raise TokenError("This refresh token was already used.")
        token.blacklist()


@transaction.atomic
def _rotate(token: RefreshToken) -> tuple[User | None, dict[str, str] | None]:
    """(None, new pair), or (the sign-in, None) when the token was replayed."""
    user = _live_user(token)
    outstanding = _outstanding_locked(token)  # two exchanges of one token: one after the other
    now = clock.now()
    rotation = RotatedRefreshToken.objects.filter(token=outstanding).first()
    if rotation is None:
        RotatedRefreshToken.objects.create(token=outstanding, rotated_at=now)
    elif _graced(rotation):
        rotation.regraced_at = now
        rotation.save(update_fields=["regraced_at"])
    else:
        return user, None
    return None, tokens_for(user)


def _graced(rotation: RotatedRefreshToken) -> bool:
    """Whether the exchanged token still has its one more exchange: unused, and within the grace."""
    grace = timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS)
    return rotation.regraced_at is None and clock.now() - rotation.rotated_at < grace


def _live_user(token: RefreshToken) -> User:
    """The sign-in behind a refresh token, if it still exists, is active, kept its password and token version."""
    user = User.objects.filter(pk=token.payload.get(api_settings.USER_ID_CLAIM)).first()
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        raise TokenError("No active account found for the given token.")
    if api_settings.CHECK_REVOKE_TOKEN and token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise TokenError("The password was changed since this token was issued.")
    if not token_is_current(token, user):
        raise TokenError("This sign-in's sessions were ended since this token was issued.")
    return user


def _outstanding_locked(token: RefreshToken) -> OutstandingToken:
    """The token's row in the outstanding list, locked; one issued before the list existed is added to it."""
    token.outstand()
    return OutstandingToken.objects.select_for_update().get(jti=token[api_settings.JTI_CLAIM])
