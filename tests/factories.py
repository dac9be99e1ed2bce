"""Test data. Enrolments go through the real service, so milestones exist."""

from datetime import date

import factory

from patients.models import Clinic, Patient, User
from protocols.models import ProtocolVersion
from rehab.care.services.enrollment import enrollment_start


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    admin_email = factory.Sequence(lambda n: f"admin{n}@clinic.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    role = User.Role.PHYSIO
    clinic = factory.SubFactory(ClinicFactory)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PhysioFactory(UserFactory):
    role = User.Role.PHYSIO


class ClinicAdminFactory(UserFactory):
    role = User.Role.CLINIC_ADMIN


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    display_name = factory.Sequence(lambda n: f"Patient {n}")
    timezone = "Europe/London"
    side = Patient.Side.RIGHT
    condition = Patient.Condition.CALCIFIC_INSERTIONAL_TENDINOPATHY
    user = factory.LazyAttribute(
        lambda o: UserFactory(
            role=User.Role.PATIENT, clinic=o.clinic, display_name=o.display_name, username=f"p-{o.display_name}"
        )
    )


def protocol_version(code: str) -> ProtocolVersion:
    return ProtocolVersion.objects.filter(protocol__code=code).order_by("-version").first()


def enrolled_patient(protocol_code: str = "conservative-calcific-iat", *, start: date, **patient_fields) -> Patient:
    patient = PatientFactory(**patient_fields)
    enrollment_start(patient=patient, protocol_version=protocol_version(protocol_code), start_date=start)
    return patient
