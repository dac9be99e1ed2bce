"""`manage.py seed_demo --password P`: idempotent demo clinics, staff and patients with history."""

from django.core.management.base import BaseCommand, CommandError

from rehab.jobs.demo import demo_seed


class Command(BaseCommand):
    help = "Create (or top up) the demo clinics, staff and patients; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Password of every demo login")

    def handle(self, *args, password: str, **options):
        if not password:
            raise CommandError("--password must not be empty.")
        result = demo_seed(password=password)
        created = ", ".join(f"{n} {what}" for what, n in result.created.items()) or "nothing new"
        self.stdout.write(f"Demo data ready ({created}).")
        self.stdout.write(f"Demo logins, all with password {password!r}:")
        width = max(len(login["username"]) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login['username']:<{width}}  {login['clinic']}: {login['role']}")
        self.stdout.write("None of them opens the Django admin, which is for operators: `manage.py createsuperuser`.")
