"""What a simulated cohort produced, checked against what the simulator knows to be true.

The truth of each judged review comes from the patient's course (improving,
not improving, silent); the alerts and reminders come from the database. Every
count is over the simulation's own clinics, so other data in the database does
not leak in.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count

from rehab.alerts.models import Alert
from rehab.care.models import Milestone
from rehab.devtools.simulation.trajectory import Profile, improves_by
from rehab.reminders.models import Reminder

REFERRAL_CODES = ("review_not_improved", "not_recovered_6_months")
_NOT_IMPROVING_OUTCOME = {0: "not_improving_missed", 1: "not_improving_referred_once"}  # by referrals raised


def cohort_summary(
    *, profiles: Sequence[Profile], patient_ids: Sequence[int], clinic_ids: Sequence[int], ends: datetime
) -> dict:
    index_of = {pk: i for i, pk in enumerate(patient_ids)}
    alerts = Alert.objects.filter(clinic_id__in=clinic_ids)
    reminders = Reminder.objects.filter(patient__clinic_id__in=clinic_ids)
    judged = _judged_reviews(clinic_ids, ends)
    referrals = Counter(
        alerts.filter(code__in=REFERRAL_CODES, milestone__isnull=False).values_list("milestone_id", flat=True)
    )
    not_judgeable = Counter(
        alerts.filter(code="review_not_judgeable", milestone__isnull=False).values_list("milestone_id", flat=True)
    )
    truth = Counter()
    outcome = Counter()
    for milestone_id, patient_id, code in judged:
        improved = improves_by(profiles[index_of[patient_id]], code)
        n = referrals[milestone_id]
        if improved is False:
            truth["not_improving"] += 1
            outcome[_NOT_IMPROVING_OUTCOME.get(n, "referred_more_than_once")] += 1
        elif improved is True:
            truth["improving"] += 1
            outcome["improving_wrongly_referred"] += n > 0
        else:
            truth["silent"] += 1
            outcome["silent_flagged_not_judgeable" if not_judgeable[milestone_id] else "silent_not_flagged"] += 1
            outcome["silent_wrongly_referred"] += n > 0
    return {
        "judged_reviews_due": {k: truth[k] for k in ("not_improving", "improving", "silent")},
        "referrals": {
            k: outcome[k]
            for k in (
                "not_improving_referred_once",
                "not_improving_missed",
                "referred_more_than_once",
                "improving_wrongly_referred",
                "silent_flagged_not_judgeable",
                "silent_not_flagged",
                "silent_wrongly_referred",
            )
        },
        "alerts_by_kind": _counts(alerts, "kind"),
        "alerts_by_code": _counts(alerts, "code"),
        "reminders_by_status": _counts(reminders, "status"),
        "reminders_sent_by_kind": _counts(reminders.filter(status=Reminder.Status.SENT), "kind"),
        "duplicates": {
            "alerts_per_milestone_and_code": _duplicates(alerts.filter(milestone__isnull=False), "milestone", "code"),
            "open_alerts_per_patient_and_code": _duplicates(
                alerts.filter(milestone__isnull=True, status=Alert.Status.OPEN), "patient", "code"
            ),
            "reminders_per_slot": _duplicates(reminders, "patient", "kind", "slot"),
        },
    }


def _judged_reviews(clinic_ids: Sequence[int], ends: datetime) -> list[tuple[int, int, str]]:
    """Judged reviews whose due time fell inside the run: (milestone id, patient id, code)."""
    return list(
        Milestone.objects.filter(
            enrollment__patient__clinic_id__in=clinic_ids,
            kind="review",
            due_at__lte=ends,
        )
        .exclude(status__in=(Milestone.Status.SKIPPED, Milestone.Status.CANCELLED))
        .values_list("id", "enrollment__patient_id", "code")
    )


def _counts(qs, field: str) -> dict[str, int]:
    rows = qs.order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in sorted(rows, key=lambda r: r[field])}


def _duplicates(qs, *fields: str) -> int:
    """Groups of `fields` holding more than one row: each should hold exactly one."""
    return qs.order_by().values(*fields).annotate(n=Count("id")).filter(n__gt=1).count()
