import uuid
from datetime import time
from zoneinfo import available_timezones

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
    # written by database triggers (rehab migration 0002), so no code path can forget it and a save
    # from an old instance cannot write an old value back. It keys the per-process enrolment cache
    # (rehab.selectors.enrollment); the value this instance holds is the one read with the row.
    enrollments_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

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
