"""The second factor of a staff sign-in: TOTP devices, one-time backup codes, and who must pass one.

One place for the rules both doors use, the web sign-in and the API's token endpoint:

- Patients never pass a second factor (they sign in from the phone with an activation code).
- A member of staff passes one when they have a confirmed TOTP device, or when their clinic
  requires TOTP (then, without a device, they must enrol before anything else).
- A code is the authenticator app's current TOTP code or one of the backup codes, each of which
  works once. django-otp refuses a TOTP code already used (no replay within its 30 seconds) and
  slows repeated wrong codes down; each wrong code also counts as a failed sign-in for the
  lock-out (django-axes), like a wrong password.
- A clinic admin resets a colleague's device (a lost phone) and switches the clinic's
  requirement; both are written to the audit trail with who and when.
"""

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.errors import NotAllowed
from patients.models import Clinic, User
from patients.services.audit import audit_record
from patients.services.sessions import sessions_end

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def has_totp_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requires_second_factor(user: User) -> bool:
    """Whether this sign-in must pass a code after the password (on the web and for an API token)."""
    if not user.is_clinician:
        return False
    return has_totp_device(user) or _clinic_requires_totp(user)


def must_enrol(user: User) -> bool:
    """Staff whose clinic requires TOTP and who have no device yet: enrolment comes before any page."""
    return user.is_clinician and _clinic_requires_totp(user) and not has_totp_device(user)


def _clinic_requires_totp(user: User) -> bool:
    # The clinic as read with the user for this request (pages read it anyway): no query of its own.
    return user.clinic_id is not None and user.clinic.require_totp


def normalised_code(code: str) -> str:
    """What was typed, as stored: authenticator apps show "123 456", backup codes are lower case."""
    return "".join(code.split()).replace("-", "").lower()


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts this code (TOTP first, then the backup codes), or None.

    A backup code accepted is deleted by django-otp: it works once.
    """
    code = normalised_code(code)
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        # Locked rows: two requests racing with one code cannot both pass.
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
                if device.verify_token(code):
                    return device
    return None


def second_factor_refused(*, request, username: str) -> None:
    """A wrong code counts as a failed sign-in for the lock-out, as a wrong password does.

    django-axes listens to Django's signal; `request` is the one the password was checked on
    (a DRF request for the API), so a lock-out reached here is flagged where the view looks.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# --- enrolment -------------------------------------------------------------------------------------------
def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled: the same one (and secret) until it is confirmed or reset."""
    if not user.is_clinician:
        raise NotAllowed("Only clinic staff sign in with an authenticator app.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_device_confirm(*, user: User, code: str, ip_address: str | None) -> TOTPDevice | None:
    """The enrolling device confirmed by its first code (which proves the app holds the secret), or None.

    Any device enrolled before is replaced: a member of staff has one authenticator.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None or not device.verify_token(normalised_code(code)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=user,
            action="totp_enrol",
            resource=f"user:{user.pk} totp device",
            patient_ids=(),
            ip_address=ip_address,
        )
    return device


def backup_codes_issue(*, user: User) -> list[str]:
    """A fresh set of one-time backup codes (shown once); any earlier set stops working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- a clinic admin's actions ------------------------------------------------------------------------------
def _check_clinic_admin(by: User, clinic_id: int | None) -> None:
    if by.role != User.Role.CLINIC_ADMIN or by.clinic_id is None or by.clinic_id != clinic_id:
        raise NotAllowed("Only a clinic admin of this clinic may do this.")


def totp_device_reset(*, staff: User, by: User, ip_address: str | None) -> None:
    """A colleague's authenticator and backup codes removed (a lost or replaced phone).

    Their next sign-in asks for no code, or takes them to enrolment if the clinic requires TOTP;
    a session that passed with the removed device no longer counts as having passed, and their API
    tokens end (a lost phone may hold them as well as the authenticator).
    """
    _check_clinic_admin(by, staff.clinic_id)
    if not staff.is_clinician:
        raise NotAllowed("Only clinic staff have an authenticator to reset.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=staff).delete()
        StaticDevice.objects.filter(user=staff).delete()
        sessions_end(user=staff)
        audit_record(
            actor=by,
            action="totp_reset",
            resource=f"user:{staff.pk} totp device",
            patient_ids=(),
            ip_address=ip_address,
        )


def totp_requirement_set(*, clinic: Clinic, required: bool, by: User, ip_address: str | None) -> Clinic:
    """Whether the clinic's staff must pass a TOTP code; those without a device enrol at their next page.

    Switched on, the staff's API tokens end too (the admin's own included), so no token issued with
    the password alone outlives the requirement; they sign in again with a code.
    """
    _check_clinic_admin(by, clinic.pk)
    with transaction.atomic():
        Clinic.objects.filter(pk=clinic.pk).update(require_totp=required)
        clinic.require_totp = required
        if required:
            User.objects.filter(clinic_id=clinic.pk, role__in=(User.Role.PHYSIO, User.Role.CLINIC_ADMIN)).update(
                token_version=F("token_version") + 1
            )
        audit_record(
            actor=by,
            action="totp_required" if required else "totp_not_required",
            resource=f"clinic:{clinic.pk} require_totp",
            patient_ids=(),
            ip_address=ip_address,
        )
    return clinic


# --- reading (the clinic admin's staff page) -----------------------------------------------------------------
def clinic_staff_second_factor(*, clinic_id: int):
    """The clinic's staff, each with `has_totp` (a confirmed authenticator), in one query."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        User.objects.filter(clinic_id=clinic_id, role__in=(User.Role.PHYSIO, User.Role.CLINIC_ADMIN))
        .annotate(has_totp=Exists(confirmed))
        .order_by("display_name", "username")
    )
