"""The pain rules read an answer (counts and sums from SQL) and raise exactly what they raised reading rows.

The reference is the rules as they were (tests/rules/pain_rules_before.py):
random diaries, entries arriving late and out of order, over two weeks and in
zones far from UTC, are judged by both after every arrival, and the new rules'
verdict before storing (what the log service uses to store without a
transaction) says "raises" exactly when the old rules raised something.
"""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab.logs.models import PainLog
from rehab.rules.services.safety import arrival_raises
from rehab.rules.services.safety.context import SafetyContext
from rehab.rules.services.safety.pain import pain_findings, pain_windows_of
from tests.rules import pain_rules_before as before
from tests.support.clock import NOW
from tests.support.logs import pain

pytestmark = pytest.mark.usefixtures("frozen_now")

CONTEXTS = [c.value for c in PainLog.Context]
ZONES = ["Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles", "Asia/Kolkata"]

# An entry: how long before now it was recorded (in quarter hours, so entries share instants now and then),
# its context and score. Drawn in arrival order, so the recording times come late and out of order.
ENTRIES = st.tuples(st.integers(min_value=0, max_value=4 * 24 * 17), st.sampled_from(CONTEXTS), st.integers(0, 10))
DIARIES = st.lists(ENTRIES, min_size=1, max_size=28)
# Spiky diaries too: mostly low scores, now and then a high one, mostly in two contexts.
SPIKY = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4 * 24 * 15),
        st.sampled_from(["morning", "morning", "rest", "activity"]),
        st.sampled_from([0, 1, 1, 2, 2, 3, 5, 8, 9, 10]),
    ),
    min_size=3,
    max_size=28,
)


def as_found(findings) -> list[tuple]:
    return sorted((f.code, f.reason, sorted(f.evidence.items()), f.severity) for f in findings)


def as_before(found) -> list[tuple]:
    return sorted((code, reason, sorted(evidence.items()), severity) for code, reason, evidence, severity in found)


def diary_checked(patient, diary) -> int:
    """Store the diary in arrival order, comparing old and new at every arrival; returns the alerts raised."""
    PainLog.objects.filter(patient=patient).delete()
    ctx = SafetyContext.for_patient(patient)
    raised = 0
    for quarters, context, score in diary:
        at = NOW - timedelta(minutes=15 * quarters)
        unstored = PainLog(
            patient=patient, recorded_at=at, score=score, context=context, local_date=_local(patient, at)
        )
        verdict = arrival_raises(unstored, history=_history(patient))
        log = pain(patient, score, at, context, check=False)
        [window] = pain_windows_of([(ctx, log)])
        old = before.findings_of_stored(ctx, log)
        assert as_found(pain_findings(ctx, log, window)) == as_before(old), (diary, log.pk)
        assert verdict == bool(old), (diary, log.pk)
        raised += len(old)
    # A sync batch: every entry judged in one read after all are stored, as the log service judges a batch.
    logs = list(PainLog.objects.filter(patient=patient).order_by("id"))
    windows = pain_windows_of([(ctx, log) for log in logs])
    for log, window in zip(logs, windows, strict=True):
        assert as_found(pain_findings(ctx, log, window)) == as_before(before.findings_of_stored(ctx, log))
    return raised


def _local(patient, at):
    from config import clock

    return clock.local_date_of(at, patient.timezone)


def _history(patient):
    from rehab.care.selectors.enrollment import EnrollmentHistory

    return EnrollmentHistory.of(patient)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(diary=DIARIES, zone=st.sampled_from(ZONES))
def test_random_diaries_raise_the_same_alerts_as_before(patient, diary, zone):
    patient.timezone = zone
    patient.save(update_fields=["timezone"])
    diary_checked(patient, diary)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(diary=SPIKY)
def test_spiky_diaries_after_surgery_raise_the_same_alerts_as_before(post_surgical_patient, diary):
    diary_checked(post_surgical_patient, diary)


def test_the_spiky_diaries_do_raise_alerts(post_surgical_patient):
    """The comparison above is not between two silences: a spike and a morning rise each raise."""
    diary = [(4 * 24 * 10 + q, "morning", 1) for q in range(0, 12, 4)]  # a low morning week, ten days back
    diary += [(4 * 24 * 2 + q, "morning", 8) for q in range(0, 12, 4)]  # a high one, two days back
    diary += [(4 * 24 * 2 - 4 * h, "rest", 1) for h in range(3)] + [(0, "rest", 9)]  # then a spike at rest
    assert diary_checked(post_surgical_patient, diary) >= 2
