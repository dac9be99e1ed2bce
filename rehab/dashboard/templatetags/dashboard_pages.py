"""Small pieces of the patients and alerts pages that are easier said in Python than in a template."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config import clock
from rehab.intake.registry import KINDS

register = template.Library()

SPARK_WIDTH, SPARK_HEIGHT, SPARK_MAX = 112, 28, 10


@register.simple_tag
def pain_sparkline(days) -> str:
    """The 14 days' pain means as a tiny inline SVG (no script): a line over the days with entries, 0-10 up."""
    step = SPARK_WIDTH / max(len(days) - 1, 1)
    points = [
        (round(i * step, 1), round(SPARK_HEIGHT - 2 - float(v) / SPARK_MAX * (SPARK_HEIGHT - 4), 1))
        for i, (_, v) in enumerate(days)
        if v is not None
    ]
    logged = [float(v) for _, v in days if v is not None]
    if not logged:
        label = f"No pain logged in the last {len(days)} days"
    else:
        label = f"Pain over {len(days)} days: {len(logged)} days logged, latest day's mean {logged[-1]:.1f} of 10"
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="1.6"></circle>', points[-1:])
    line = " ".join(f"{x},{y}" for x, y in points)
    return format_html(
        '<svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        "<title>{label}</title>"
        '<line class="sparkline-axis" x1="0" y1="{base}" x2="{w}" y2="{base}"></line>'
        '<polyline points="{line}"></polyline>{dots}</svg>',
        w=SPARK_WIDTH,
        h=SPARK_HEIGHT,
        base=SPARK_HEIGHT - 2,
        label=label,
        line=line,
        dots=dots,
    )


@register.filter
def percent(value) -> str:
    return "-" if value is None else f"{float(value):.0%}"


@register.filter
def instant(value: datetime | None) -> str:
    """An instant in the page's zone (the clinic's, activated by the view), the zone's abbreviation after it."""
    if value is None:
        return "-"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


@register.simple_tag
def minutes_until(value: datetime | None) -> int | None:
    """Whole minutes from now (the one clock) to `value`; negative once it has passed."""
    if value is None:
        return None
    return int((value - clock.now()).total_seconds() // 60)


@register.filter
def words(value) -> str:
    """A code as words: "boot-heel-lift" and "same_day" read as "boot heel lift", "same day"."""
    return "" if value is None else str(value).replace("_", " ").replace("-", " ")


@register.simple_tag
def recent_logs(logs_by_kind: dict) -> list[dict]:
    """Each kind's recent logs as (name, rows of when + what), in the registry's order."""
    return [
        {"key": key, "name": KINDS[key].name, "rows": [_log_row(key, log) for log in logs]}
        for key, logs in logs_by_kind.items()
    ]


def _log_row(key: str, log) -> dict:
    when = getattr(log, KINDS[key].when)
    return {"when": when, "is_date": not isinstance(when, datetime), "what": _log_what(key, log)}


def _log_what(key: str, log) -> str:
    if key == "pain_logs":
        return f"{log.score}/10, {log.context.replace('_', ' ')}"
    if key == "exercise_logs":
        done = "done" if log.completed else "not done"
        pain = "" if log.pain_during is None else f", pain {log.pain_during}/10 during"
        return f"{log.exercise.replace('-', ' ').replace('_', ' ')} {log.sets} x {log.reps}, {done}{pain}"
    if key == "visa_a":
        return f"VISA-A {log.score}"
    if key == "symptom_reports":
        symptoms = ", ".join(s.replace("_", " ") for s in log.symptoms) or "no symptoms"
        return f"{symptoms} ({log.tier.replace('_', ' ')})"
    if key == "medication_logs":
        name = f"{log.name}, " if log.name else ""
        site = f" at the {log.site.replace('_', ' ')}" if log.site else ""
        return f"{name}{log.kind.replace('_', ' ')} ({log.route}{site})"
    return str(log)
