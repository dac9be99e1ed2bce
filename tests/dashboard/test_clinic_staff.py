"""The clinic admin's staff page: who has an authenticator, resetting one, requiring TOTP; all audited."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.errors import NotAllowed
from patients.models import AuditEntry, Clinic
from patients.services.second_factor import totp_device_reset
from tests.factories import PhysioFactory
from tests.support.clock import NOW
from tests.support.totp import PASSWORD, backup_codes, dashboard_client, enrol_totp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

PAGE = "/clinic/staff/"


def reset_url(user) -> str:
    return f"/clinic/staff/{user.pk}/reset-totp/"


@pytest.fixture
def admin_web(clinic_admin):
    return dashboard_client(clinic_admin)


def test_the_page_lists_the_clinics_staff_with_whether_they_have_an_authenticator(
    admin_web, physio, physio_device, other_physio
):
    PhysioFactory(clinic=physio.clinic, username="dora", display_name="Dora")
    page = admin_web.get(PAGE).content.decode()
    assert "<td>Alice</td>" in page and "<td>Dora</td>" in page and "<td>Carol</td>" in page
    assert "Bob" not in page  # another clinic's
    assert page.count("Reset TOTP device</a>") == 1  # only Alice has one
    assert f'href="{reset_url(physio)}?next=/clinic/staff/"' in page
    assert '<label for="id_require_totp">Require TOTP for staff</label>' in page


def test_a_physio_gets_403_on_the_staff_page_and_cannot_reset(physio, physio_device):
    web = dashboard_client(physio)
    assert web.get(PAGE).status_code == 403
    assert web.post(reset_url(physio)).status_code == 403
    assert web.post(PAGE, {"require_totp": "on"}).status_code == 403
    assert TOTPDevice.objects.filter(user=physio).exists()
    assert not Clinic.objects.get(pk=physio.clinic_id).require_totp


def test_the_page_without_a_session_goes_to_the_sign_in(web):
    assert web.get(PAGE)["Location"] == "/sign-in/?next=%2Fclinic%2Fstaff%2F"


def test_a_clinic_admin_resets_a_physios_device_after_confirming(admin_web, clinic_admin, physio, physio_device):
    backup_codes(physio)
    confirm = admin_web.get(reset_url(physio))
    assert confirm.status_code == 200
    assert '<button type="submit" class="button danger">Reset TOTP device</button>' in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=physio).exists()  # asking changed nothing

    response = admin_web.post(reset_url(physio))
    assert response["Location"] == PAGE
    assert not TOTPDevice.objects.filter(user=physio).exists()
    assert not StaticDevice.objects.filter(user=physio).exists()
    entry = AuditEntry.objects.get(action="totp_reset")
    assert (entry.actor, entry.clinic_id, entry.resource, entry.at) == (
        clinic_admin,
        physio.clinic_id,
        f"user:{physio.pk} totp device",
        NOW,
    )
    # The physio now signs in with the password alone (the clinic does not require TOTP).
    response = dashboard_client(physio).post("/sign-in/", {"username": "alice", "password": PASSWORD})
    assert response["Location"] == "/"


def test_another_clinics_staff_member_is_a_404(admin_web, other_physio):
    device = enrol_totp(other_physio)
    assert admin_web.get(reset_url(other_physio)).status_code == 404
    assert admin_web.post(reset_url(other_physio)).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEntry.objects.filter(action="totp_reset").exists()


def test_the_service_refuses_a_physio_and_another_clinics_admin(physio, other_physio, physio_device):
    with pytest.raises(NotAllowed):
        totp_device_reset(staff=physio, by=physio, ip_address=None)
    with pytest.raises(NotAllowed):
        totp_device_reset(staff=physio, by=PhysioFactory(role="clinic_admin"), ip_address=None)
    assert TOTPDevice.objects.filter(user=physio).exists()


def test_a_clinic_admin_switches_the_totp_requirement_and_each_switch_is_audited(clinic, clinic_admin):
    enrol_totp(clinic_admin)  # without one, requiring TOTP would send them to enrolment first (below)
    admin_web = dashboard_client(clinic_admin)
    response = admin_web.post(PAGE, {"require_totp": "on"}, REMOTE_ADDR="10.0.0.9")
    assert response["Location"] == PAGE
    assert Clinic.objects.get(pk=clinic.pk).require_totp
    admin_web.post(PAGE, {})
    assert not Clinic.objects.get(pk=clinic.pk).require_totp
    actions = list(
        AuditEntry.objects.filter(actor=clinic_admin, clinic=clinic).order_by("pk").values_list("action", "ip_address")
    )
    assert actions == [("totp_required", "10.0.0.9"), ("totp_not_required", "127.0.0.1")]


def test_requiring_totp_sends_the_admin_without_a_device_to_enrolment_at_the_next_page(admin_web):
    admin_web.post(PAGE, {"require_totp": "on"})
    assert admin_web.get(PAGE)["Location"] == "/sign-in/authenticator/?next=%2Fclinic%2Fstaff%2F"


def test_the_top_bar_links_the_staff_page_for_clinic_admins_only(admin_web, physio):
    link = '<a href="/clinic/staff/" aria-current="page">Staff</a>'
    assert link in admin_web.get(PAGE).content.decode()
    physio_page = dashboard_client(physio).get("/sign-in/authenticator/").content.decode()
    assert ">Sign out</button>" in physio_page and 'href="/clinic/staff/"' not in physio_page


def test_the_clinic_settings_page_shows_the_requirement_and_the_staff_and_comes_back_there(
    admin_web, clinic, physio, physio_device
):
    page = admin_web.get("/clinic/settings/").content.decode()
    assert "Require TOTP" in page and f'href="{reset_url(physio)}?next=/clinic/settings/"' in page
    response = admin_web.post(reset_url(physio), {"next": "/clinic/settings/"})
    assert response.status_code == 302 and response["Location"] == "/clinic/settings/"
    assert not TOTPDevice.objects.filter(user=physio).exists()
    response = admin_web.post("/clinic/staff/", {"require_totp": "on", "next": "/clinic/settings/"})
    assert response.status_code == 302 and response["Location"] == "/clinic/settings/"
    clinic.refresh_from_db()
    assert clinic.require_totp


def test_the_way_back_never_leads_off_the_site(admin_web, physio, physio_device):
    response = admin_web.post(reset_url(physio), {"next": "https://evil.example/"})
    assert response["Location"] == "/clinic/staff/"
