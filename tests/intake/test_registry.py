"""The log-kind registry: every kind of patient log is declared once, and what is built from it follows."""

from collections import Counter

from django.urls import resolve

from rehab.intake.api.clinician_serializers import RecentLogsSerializer
from rehab.intake.api.serializers import SyncInSerializer, SyncResultsSerializer
from rehab.intake.registry import KINDS
from rehab.logs.models import patient_log_models


def test_the_registry_covers_exactly_the_kinds_of_patient_log():
    # A new PatientLog subclass without an entry (or a model entered twice) fails here, not in a sweep.
    assert Counter(kind.model for kind in KINDS.values()) == Counter(patient_log_models())


def test_each_kind_has_its_own_path_and_its_serializers_speak_of_its_model():
    assert len({kind.path for kind in KINDS.values()}) == len(KINDS)
    for key, kind in KINDS.items():
        assert kind.key == key
        assert kind.out_serializer.Meta.model is kind.model
        assert kind.when in kind.content


def test_a_replay_compares_exactly_what_the_phone_sends_for_the_kind():
    for kind in KINDS.values():
        sent = [name for name in kind.in_serializer().fields if name != "client_id"]
        assert tuple(sent) == kind.content, kind.key


def test_every_kind_has_the_patients_endpoint_and_the_clinicians_list():
    for kind in KINDS.values():
        mine = resolve(f"/api/v1/me/{kind.path}/")
        assert mine.url_name == f"me-{kind.path}"
        assert mine.func.view_class.kind is kind
        theirs = resolve(f"/api/v1/patients/7/{kind.path}/")
        assert theirs.url_name == f"clinician-{kind.path}"
        assert theirs.func.initkwargs["kind"] is kind


def test_the_sync_batch_and_the_records_recent_logs_have_one_list_per_kind_in_the_registrys_order():
    assert list(SyncInSerializer().fields) == list(KINDS)
    assert list(SyncResultsSerializer().fields) == list(KINDS)
    recent = RecentLogsSerializer().fields
    assert list(recent) == list(KINDS)
    for key, kind in KINDS.items():
        assert type(recent[key].child) is kind.out_serializer
