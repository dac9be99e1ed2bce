"""`manage.py seed_demo --password P`: idempotent demo clinics, staff and patients with history."""

from django.core.management.base import BaseCommand, CommandError

from rehab.jobs.demo import demo_seed
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse

# What each of the demo's counts is called when it is one ("1 review judged"); the logs' names come from their models.
ONE = {
    "clinics": "clinic",
    "users": "user",
    "admin rights removed": "user's admin rights removed",
    "passwords set": "password set",
    "patients": "patient",
    "enrollments": "enrollment",
    "clinical events": "clinical event",
    "reviews judged": "review judged",
    "red flags reported": "red flag reported",
    **{
        str(model._meta.verbose_name_plural): str(model._meta.verbose_name)
        for model in (PainLog, ExerciseLog, VisaAResponse, SymptomReport, MedicationLog)
    },
}


def created_in_words(created: dict[str, int]) -> str:
    """ "2 clinics, 1 review judged": each count with its noun in the number it takes."""
    return ", ".join(f"{n} {ONE.get(what, what) if n == 1 else what}" for what, n in created.items()) or "nothing new"


class Command(BaseCommand):
    help = "Create (or top up) the demo clinics, staff and patients; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Password of every demo login")

    def handle(self, *args, password: str, **options):
        if not password:
            raise CommandError("--password must not be empty.")
        result = demo_seed(password=password)
        self.stdout.write(f"Demo data ready ({created_in_words(result.created)}).")
        self.stdout.write(f"Demo logins, all with password {password!r}:")
        width = max(len(login["username"]) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login['username']:<{width}}  {login['clinic']}: {login['role']}")
        self.stdout.write("None of them opens the Django admin, which is for operators: `manage.py createsuperuser`.")
