"""Patients' sign-ins: activation codes and the first sign-in from the app."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from config import clock
from config.errors import Conflict, FieldErrors
from patients.models import ActivationCode, Patient, User
from patients.services.sessions import sessions_end

# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


CODE_LENGTH = 12  # ~59 bits: guessing is hopeless even without a rate limit


class ActivationInvalid(FieldErrors):
    """The code, username or password the patient typed, refused per field."""


class PatientDischarged(Conflict):
    """A discharged patient cannot activate a sign-in, so no code is issued for one."""


def normalise_code(code: str) -> str:
    """Case, spaces and dashes do not matter: `abcd-efgh-jkmn` is `ABCDEFGHJKMN`."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def activation_code_issue(*, patient: Patient, by: User | None) -> str:
    """A new activation code for the patient; every older unused code stops working.

    Returns the code in clear (shown once to the physio); only its hash is stored.
    Raises PatientDischarged for a discharged patient: activation would refuse the code.
    """
    if patient.status != Patient.Status.ACTIVE:
        raise PatientDischarged("The patient has been discharged; activation codes are for active patients.")
    now = clock.now()
    ActivationCode.objects.filter(patient=patient, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    ActivationCode.objects.create(
        patient=patient,
        code_hash=code_hash(raw),
        expires_at=now + timedelta(days=settings.ACTIVATION_CODE_DAYS),
        created_by=by,
    )
    return format_code(raw)


@transaction.atomic
def patient_activate(*, activation_code: str, username: str, password: str) -> User:
    """Claim a patient with their code: creates their sign-in (or resets it) and uses the code up.

    A patient who already signed in once and got a new code from the physio
    (a lost phone, a forgotten password) keeps the same sign-in, with the new
    username and password.
    """
    now = clock.now()
    code = (
        ActivationCode.objects.select_for_update(of=("self",))
        .select_related("patient__user")
        .filter(code_hash=code_hash(activation_code))
        .first()
    )
    if code is None or code.used_at or code.revoked_at or code.expires_at <= now:
        raise ActivationInvalid({"activation_code": ["This activation code is not valid, used or expired."]})
    patient = code.patient
    if patient.status != Patient.Status.ACTIVE:
        raise ActivationInvalid({"activation_code": ["This patient has been discharged."]})
    user = patient.user or User(role=User.Role.PATIENT, clinic=patient.clinic, display_name=patient.display_name)
    _check_credentials(user, username=username, password=password)
    user.username = username
    user.is_active = True
    user.set_password(password)
    user.save()
    # A reset sign-in (a lost phone): the phone's tokens end with its old password; said here too,
    # so ending them does not rest on CHECK_REVOKE_TOKEN alone.
    sessions_end(user=user)
    if patient.user_id != user.pk:
        patient.user = user
        patient.save(update_fields=["user"])
    code.used_at = now
    code.save(update_fields=["used_at"])
    return user


def _check_credentials(user: User, *, username: str, password: str) -> None:
    errors: dict[str, list[str]] = {}
    taken = User.objects.filter(username__iexact=username)
    if user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        errors["username"] = ["This username is taken."]
    candidate = User(username=username, display_name=user.display_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ActivationInvalid(errors)
