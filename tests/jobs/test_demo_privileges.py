"""The demo makes clinic users only: the Django admin (every clinic's data) is for operators."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from patients.models import User
from rehab.jobs.demo import demo_seed

pytestmark = pytest.mark.django_db

PASSWORD = "a-demo-password"


def test_the_demo_makes_no_clinic_user_staff_or_superuser():
    demo_seed(password=PASSWORD)
    assert not User.objects.filter(is_staff=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()


def test_a_demo_admin_made_superuser_by_an_earlier_demo_loses_it_on_the_next_run():
    demo_seed(password=PASSWORD)
    User.objects.filter(username="demo-admin").update(is_staff=True, is_superuser=True)
    demo_seed(password=PASSWORD)
    admin = User.objects.get(username="demo-admin")
    assert (admin.is_staff, admin.is_superuser) == (False, False)


def test_the_demo_admin_cannot_open_the_django_admin():
    demo_seed(password=PASSWORD)
    browser = Client()
    browser.post("/admin/login/", {"username": "demo-admin", "password": PASSWORD})
    assert browser.get("/admin/").status_code == 302


def test_seed_demo_says_how_to_make_an_operator_for_the_admin():
    out = StringIO()
    call_command("seed_demo", "--password", PASSWORD, stdout=out)
    assert "createsuperuser" in out.getvalue()
