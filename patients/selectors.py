"""Reading clinics and their staff."""

from collections import defaultdict
from collections.abc import Iterable

from patients.models import Clinic, User


def clinic_admin_emails(clinic_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each clinic's admin addresses: its admin_email and its active clinic admins', in two queries."""
    clinic_ids = list(clinic_ids)
    found: dict[int, set[str]] = defaultdict(set)
    for clinic_id, email in (
        Clinic.objects.filter(id__in=clinic_ids).exclude(admin_email="").values_list("id", "admin_email")
    ):
        found[clinic_id].add(email.lower())
    admins = User.objects.filter(clinic_id__in=clinic_ids, role=User.Role.CLINIC_ADMIN, is_active=True).exclude(
        email=""
    )
    for clinic_id, email in admins.values_list("clinic_id", "email"):
        found[clinic_id].add(email.lower())
    return {clinic_id: sorted(emails) for clinic_id, emails in found.items()}
