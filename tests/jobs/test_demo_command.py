"""`seed_demo` says what it made in words that agree with the numbers."""

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def test_a_count_of_one_names_one_thing():
    with time_machine.travel(NOW, tick=False):
        out = StringIO()
        call_command("seed_demo", "--password", "a-demo-password", stdout=out)
    ready = out.getvalue().splitlines()[0]
    assert "1 review judged" in ready and "1 red flag reported" in ready  # the demo makes one of each
    assert "2 clinics" in ready and "5 patients" in ready
    assert not re.search(r"\b1 \w+s\b", ready), ready  # never "1 reviews judged"
