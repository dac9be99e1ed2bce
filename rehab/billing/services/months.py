"""Closing a clinic's billing month (its figures frozen) and the RPM flag of a patient's month."""

from datetime import date

from django.db import IntegrityError, transaction

from config import clock
from config.errors import Conflict
from patients.models import Clinic, Patient, User
from rehab.billing.models import ClosedRow, MonthClose, RpmMonth
from rehab.billing.selectors.ledger import clinic_month_rows


class MonthConflict(Conflict):
    """The month is not over yet, or was closed already."""


def month_close(*, clinic: Clinic, month: date, by: User) -> MonthClose:
    """Freeze the month's rows as computed now; what arrives later is listed as "after close".

    Only a month that is over in the clinic's zone: closing a running month would freeze a half.
    """
    month = month.replace(day=1)
    if clock.local_today(clinic.time_zone).replace(day=1) <= month:
        raise MonthConflict("Only a month that is over can be closed.")
    try:
        with transaction.atomic():
            closed = MonthClose.objects.create(clinic=clinic, month=month, closed_by=by, closed_at=clock.now())
            rows = clinic_month_rows(clinic=clinic, month=month, live=True)
            ClosedRow.objects.bulk_create(
                ClosedRow(close=closed, patient_id=row["patient"]["id"], figures=row) for row in rows
            )
    except IntegrityError:
        raise MonthConflict("This month is closed already.") from None
    return closed


def rpm_flag_set(*, patient: Patient, month: date, by: User, rpm: bool) -> bool:
    """Record whether the patient's month was billed as RPM (then no RTM code is billed for it)."""
    month = month.replace(day=1)
    if rpm:
        RpmMonth.objects.get_or_create(patient=patient, month=month, defaults={"set_by": by, "set_at": clock.now()})
    else:
        RpmMonth.objects.filter(patient=patient, month=month).delete()
    return rpm
