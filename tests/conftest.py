import pytest

from tests.factories import ClinicFactory, PhysioFactory


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Alice's clinic")


@pytest.fixture
def physio(clinic):
    return PhysioFactory(clinic=clinic, username="alice", display_name="Alice")


@pytest.fixture
def other_physio(db):
    """A physiotherapist of another clinic: must never see the first clinic's data."""
    return PhysioFactory(username="bob", display_name="Bob")
