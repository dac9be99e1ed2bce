"""The demo opens on work: the urgent red flag first, then the referral, then the review due this week."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.test import Client

from patients.models import User
from rehab.jobs.demo import demo_seed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def test_the_demo_physio_sees_the_urgent_patient_first_and_the_alerts_waiting():
    with time_machine.travel(NOW, tick=False):
        demo_seed(password="demo-password-1")
        client = Client()
        client.force_login(User.objects.get(username="demo-physio"))
        page = client.get("/").content.decode()
        rows = [unescape(n) for n in re.findall(r'<th scope="row"><a href="/patients/\d+/">([^<]+)</a>', page)]
        assert rows[:3] == ["Priya Shah", "Tom Becker", "Ruth Adams"]  # urgent alert, referral, review open
        assert re.search(r'data-testid="open-alert-count">1<', page)
        inbox = client.get("/alerts/").content.decode()
        assert inbox.index("Priya Shah") < inbox.index("Tom Becker")
        assert "Calf pain, calf swelling reported" in inbox
        # The referral of the review sweep's own judgement: the numbers it compared, not a physio's name.
        assert re.search(r"Pain \d\.\d at the review vs baseline \d\.\d: not 2 points and 30% lower", inbox)
        assert "Recorded as not improved" not in inbox
