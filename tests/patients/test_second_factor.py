"""The second factor's rules (patients.services.second_factor), which the web sign-in and the API token share."""

from datetime import timedelta

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.errors import NotAllowed
from patients.services.second_factor import (
    backup_codes_issue,
    must_enrol,
    requires_second_factor,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
)
from tests.support.totp import enrol_totp, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def test_who_must_pass_a_second_factor(clinic, physio, clinic_admin, patient):
    assert not requires_second_factor(physio)
    enrol_totp(physio)
    assert requires_second_factor(physio) and not must_enrol(physio)
    clinic.require_totp = True
    clinic.save()
    clinic_admin.refresh_from_db()
    assert requires_second_factor(clinic_admin) and must_enrol(clinic_admin)
    patient.clinic.require_totp = True
    patient.clinic.save()
    assert not requires_second_factor(patient.user) and not must_enrol(patient.user)


def test_an_unconfirmed_device_does_not_count_until_its_first_code(physio):
    device = totp_device_start(user=physio)
    assert not requires_second_factor(physio)
    assert second_factor_verify(user=physio, code=totp_code(device)) is None  # not confirmed: no sign-in with it
    assert totp_device_confirm(user=physio, code=totp_code(device), ip_address=None) == device
    assert requires_second_factor(physio)


def test_confirming_a_new_device_replaces_the_old_one(physio, frozen_clock):
    old = enrol_totp(physio)
    new = totp_device_start(user=physio)
    totp_device_confirm(user=physio, code=totp_code(new), ip_address=None)
    assert list(TOTPDevice.objects.filter(user=physio)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_codes_are_read_as_typed_in_groups_and_any_case(physio):
    device = enrol_totp(physio)
    code = totp_code(device)
    assert second_factor_verify(user=physio, code=f" {code[:3]} {code[3:]} ") == device
    backup = backup_codes_issue(user=physio)[0]
    assert isinstance(second_factor_verify(user=physio, code=backup.upper()), StaticDevice)
    assert second_factor_verify(user=physio, code="") is None


def test_issuing_backup_codes_again_ends_the_earlier_set(physio, frozen_clock):
    first = backup_codes_issue(user=physio)
    second = backup_codes_issue(user=physio)
    assert len(second) == 10 and not set(first) & set(second)
    assert second_factor_verify(user=physio, code=first[0]) is None
    frozen_clock.shift(timedelta(seconds=2))  # django-otp slows the next try after a wrong code
    assert second_factor_verify(user=physio, code=second[0]) is not None


def test_a_patient_cannot_enrol_an_authenticator(patient):
    with pytest.raises(NotAllowed):
        totp_device_start(user=patient.user)
