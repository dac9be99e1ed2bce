"""What every dashboard page's top bar needs."""

from django.utils.functional import SimpleLazyObject

from rehab.alerts.selectors import open_urgent_count as clinic_open_urgent_count
from rehab.dashboard.access import is_staff_member


def open_urgent_count(request) -> dict:
    """The clinic's open urgent/emergency alerts: one query, and only if the page shows the top bar's count."""
    if not is_staff_member(request):
        return {}
    clinic_id = request.user.clinic_id
    return {"open_urgent_count": SimpleLazyObject(lambda: clinic_open_urgent_count(clinic_id=clinic_id))}
