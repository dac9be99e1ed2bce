import uuid
from datetime import time
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


def validate_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError(f"'{value}' is not an IANA time zone.", code="invalid_timezone")


_TIMEZONES = frozenset(available_timezones())


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    admin_email = models.EmailField(blank=True, help_text="Where escalations and webhook trouble are emailed.")
    # Instants on the clinic's pages (an alert's age, a delivery's time) and its billing months are in
    # this zone; a patient's dates stay in the patient's own.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Staff must pass a TOTP code after their password, on the web and for an API token.
    require_totp = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A sign-in: a patient's phone, or a member of a clinic's staff."""

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        PHYSIO = "physio", "Physiotherapist"
        CLINIC_ADMIN = "clinic_admin", "Clinic admin"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    display_name = models.CharField(max_length=200, blank=True)
    # Every token carries the version it was issued under, and the authentication's query reads this
    # column with the user: raising it (patients.services.sessions.sessions_end) refuses every token
    # issued before, access tokens included, at their next request.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    # A fresh random value whenever this row changes, written by a database trigger (patients migration
    # 0004), so no writer can forget it: with the patient's enrollments_stamp it keys the API's per-process
    # cache of signed-in users (patients.api.authentication), which reads only the two stamps per request.
    row_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    @property
    def is_clinician(self) -> bool:
        return self.role in (self.Role.PHYSIO, self.Role.CLINIC_ADMIN)

    def __str__(self) -> str:
        return self.display_name or self.username


class Patient(models.Model):
    class Side(models.TextChoices):
        LEFT = "left"
        RIGHT = "right"
        BOTH = "both"

    class Condition(models.TextChoices):
        CALCIFIC_INSERTIONAL_TENDINOPATHY = "calcific_insertional_tendinopathy", "Calcific insertional tendinopathy"
        ACHILLES_HETEROTOPIC_OSSIFICATION = "achilles_heterotopic_ossification", "Heterotopic ossification"

    class Status(models.TextChoices):
        ACTIVE = "active"
        DISCHARGED = "discharged"

    class Comorbidity(models.TextChoices):
        KIDNEY_DISEASE = "kidney_disease"
        ANTICOAGULATED = "anticoagulated"
        DIABETES = "diabetes"

    BIOMECHANICS_FINDINGS = ("forefoot_varus", "heel_varus", "pes_planus", "overpronation")

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient")
    display_name = models.CharField(max_length=200, help_text="The clinic's own label; shown to the clinic's systems.")
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    side = models.CharField(max_length=5, choices=Side.choices)
    condition = models.CharField(max_length=40, choices=Condition.choices)
    assigned_physio = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_patients"
    )
    comorbidities = models.JSONField(default=list, blank=True)
    biomechanics = models.JSONField(default=dict, blank=True)
    # Per-patient dosage: [{"exercise", "sets", "reps", "times_per_day"}]
    exercise_overrides = models.JSONField(default=list, blank=True)
    quiet_hours_start = models.TimeField(default=time(21, 0))
    quiet_hours_end = models.TimeField(default=time(8, 0))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    discharged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A fresh random value whenever this row or the patient's enrolments (or their protocols) change,
    # written by database triggers (care migration 0002), so no code path can forget it and a save
    # from an old instance cannot write an old value back. It keys the per-process enrolment cache
    # (rehab.selectors.enrollment); the value this instance holds is the one read with the row.
    enrollments_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    # True on the row the API's authentication reads with the user at the start of a request: its
    # stamp is current for the whole request, so the enrolment cache may answer from it. Any other
    # instance (a job's, a test's) may hold an old stamp, and its enrolments are read from the database.
    read_with_sign_in = False

    class Meta:
        indexes = [models.Index(fields=["clinic", "status"]), models.Index(fields=["clinic", "display_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def has_kidney_disease(self) -> bool:
        return self.Comorbidity.KIDNEY_DISEASE in self.comorbidities


class ActivationCode(models.Model):
    """A single-use code a patient types into the app on first sign-in.

    Only a hash is stored: a leaked database must not let anyone claim a patient.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Device(models.Model):
    """A phone's push token. Keyed by the token: the same token again is the same device."""

    class Platform(models.TextChoices):
        IOS = "ios"
        ANDROID = "android"
        WEB = "web"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    token = models.CharField(max_length=512, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "rehab_device"  # named before the apps were split (README, "Tables")


class AuditEntry(models.Model):
    """Who read or changed which patient's data, and when."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    clinic = models.ForeignKey("patients.Clinic", null=True, on_delete=models.SET_NULL, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)  # e.g. "read", "update", "create"
    resource = models.CharField(max_length=200)  # the path or object read
    at = models.DateTimeField(db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = "rehab_auditentry"  # named before the apps were split (README, "Tables")
        indexes = [models.Index(fields=["patient", "at"])]
        ordering = ["-at"]
        verbose_name_plural = "audit entries"


class RotatedRefreshToken(models.Model):
    """A refresh token already exchanged for a new pair: it stops working, but for one more exchange in the grace.

    The grace (JWT_REFRESH_GRACE_SECONDS) is for a phone whose answer was lost on the way and that
    sends the same token again. Any other use of it is a replay (patients.services.sessions).
    """

    token = models.OneToOneField(
        "token_blacklist.OutstandingToken", primary_key=True, on_delete=models.CASCADE, related_name="rotation"
    )
    rotated_at = models.DateTimeField()
    # The one exchange the grace allows, once made.
    regraced_at = models.DateTimeField(null=True, blank=True)
