"""`manage.py protocol_timeline CODE --start DATE [--on DATE] --json`: a protocol's dated timeline.

Reads the latest published version of CODE. With --on it prints that day's
plan in the API's "Plan" shape. Bad input is a one-line message and a
non-zero exit (CommandError), never a traceback.
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from protocols.models import Protocol
from protocols.timeline import plan_for_day, timeline


def parse_date(value: str, *, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Print the dated timeline of a protocol started on a date, or the plan of one day."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Protocol code, e.g. post-surgical-calcific-iat")
        parser.add_argument("--start", required=True, help="Day 0 (YYYY-MM-DD): first day of care or day of surgery")
        parser.add_argument("--on", help="Print the plan of this date (YYYY-MM-DD) instead of the timeline")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print JSON (the contract's shape)")

    def handle(self, *args, code: str, start: str, on: str | None, as_json: bool, **options):
        start_date = parse_date(start, option="--start")
        on_date = None if on is None else parse_date(on, option="--on")
        protocol = Protocol.objects.filter(code=code).first()
        version = protocol.current_version() if protocol else None
        if version is None:
            known = ", ".join(Protocol.objects.order_by("code").values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown protocol {code!r}; published protocols: {known}.")
        definition = version.definition
        if on_date is not None:
            if on_date < start_date:
                raise CommandError(f"--on {on_date.isoformat()} is before --start {start_date.isoformat()}.")
            result = plan_for_day(definition, start_date, on_date)
        else:
            result = timeline(definition, start_date)
        self.stdout.write(_as_json(result) if as_json else _as_text(result))


def _as_json(result: dict) -> str:
    return json.dumps(result, indent=2)


def _as_text(result: dict) -> str:
    if "phases" not in result:  # a day's plan
        lines = [
            f"{result['protocol']['code']} v{result['protocol']['version']}, {result['date']} (day {result['day']})",
            f"  phase: {result['phase']['code']}",
            f"  heel lift: {result['heel_lift_cm']} cm, boot: {result['boot']}, "
            f"plantar flexion: {result['plantar_flexion_deg']}, {result['weight_bearing']}",
        ]
        for e in result["exercises"]:
            lines.append(f"  exercise: {e['name']} {e['sets']}x{e['reps']}, {e['times_per_day']}/day")
        lines += [f"  avoid: {text}" for text in result["avoid"]]
        return "\n".join(lines)
    lines = [f"{result['protocol']} v{result['version']} from {result['start']}"]
    lines += [f"  phase {p['code']}: {p['start']} to {p['end'] or '(open)'}" for p in result["phases"]]
    lines += [f"  milestone {m['code']}: {m['window_start']} to {m['window_end']}" for m in result["milestones"]]
    return "\n".join(lines)
