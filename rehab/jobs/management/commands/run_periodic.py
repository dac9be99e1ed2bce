"""`manage.py run_periodic [--now ISO]`: every periodic job once, synchronously; prints JSON."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from rehab.jobs.periodic import periodic_run


class Command(BaseCommand):
    help = "Run every periodic job once, as of now or the given instant, and print what each did as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO 8601 instant with an offset, e.g. 2026-03-01T09:00:00Z")

    def handle(self, *args, now=None, **options):
        instant = None
        if now:
            instant = parse_datetime(now.replace("Z", "+00:00"))
            if instant is None or instant.tzinfo is None:
                raise CommandError(f"--now must be an ISO 8601 instant with an offset, not {now!r}")
        self.stdout.write(json.dumps(periodic_run(now=instant), indent=2, sort_keys=True))
