"""What a reminder says. Generated text only: the plan's own names and numbers."""

from dataclasses import dataclass
from datetime import date

WEIGHT_BEARING = {
    "non_weight_bearing": "no weight on the operated foot",
    "full_weight_bearing_in_boot": "full weight-bearing in the boot",
    "full_weight_bearing": "full weight-bearing in shoes",
}


@dataclass(frozen=True)
class Draft:
    kind: str
    slot: str
    on: date
    at: str  # local wall time "HH:MM", moved out of quiet hours by the planner
    title: str
    body: str


def _cm(value) -> str:
    return f"{value:g} cm"


def exercise_text(plan: dict) -> tuple[str, str]:
    names = ", ".join(e["name"] for e in plan["exercises"])
    return "Time for today's exercises", f"Day {plan['day']}: {names}."


def change_text(today: dict, tomorrow: dict) -> tuple[str, str] | None:
    """What changes tomorrow: heel lift, boot, weight bearing, phase; None when nothing does."""
    day = tomorrow["day"]
    parts = []
    if today["boot"] and not tomorrow["boot"]:
        parts.append(f"Boot off tomorrow (day {day}).")
    elif tomorrow["boot"] and not today["boot"]:
        parts.append(f"Tomorrow (day {day}) you start walking in the boot.")
    if tomorrow["heel_lift_cm"] != today["heel_lift_cm"] and tomorrow["heel_lift_cm"] is not None:
        parts.append(f"Tomorrow your heel lift goes to {_cm(tomorrow['heel_lift_cm'])}.")
    if tomorrow["weight_bearing"] != today["weight_bearing"]:
        parts.append(f"From tomorrow: {WEIGHT_BEARING.get(tomorrow['weight_bearing'], tomorrow['weight_bearing'])}.")
    if tomorrow["phase"]["code"] != today["phase"]["code"]:
        parts.append(f"Tomorrow a new phase starts: {tomorrow['phase']['name']}.")
    if not parts:
        return None
    return "Tomorrow your plan changes", " ".join(parts)


def transition_text(name: str, *, eve: bool) -> tuple[str, str]:
    if eve:
        return f"Tomorrow: {name}", f"{name} is tomorrow. Check your plan in the app."
    return f"Today: {name}", f"{name} is today. Your plan in the app shows what changes."


def questionnaire_text(name: str, *, closing: bool) -> tuple[str, str]:
    if closing:
        return "Your VISA-A questionnaire is still open", f"Please fill in the VISA-A for the {name} before it closes."
    return "Time for your VISA-A questionnaire", f"Please fill in the VISA-A for the {name} in the app."


def pain_nudge_text(days: int) -> tuple[str, str]:
    return "How is your Achilles today?", f"No pain score logged for {days} days: a quick entry helps your physio."
