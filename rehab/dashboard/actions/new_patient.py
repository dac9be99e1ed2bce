"""The new-patient form: the API's POST /patients/ from the web, ending on the activation code and its QR code.

What was typed becomes the API's request body and goes through the API's serializer and the same
service (rehab.records.services.patient_register), so the rules and their messages are the API's.
The form is sent once (rehab.dashboard.actions.once); its answer is a page of its own, reached by
the form's token, where the code (kept briefly in the cache, never stored in clear) is printed.
"""

from dataclasses import dataclass, field

from django.http import QueryDict

from patients.models import Patient, User
from protocols.models import ProtocolVersion
from protocols.selectors import protocol_versions_latest

BIOMECHANICS = Patient.BIOMECHANICS_FINDINGS
OVERRIDE_NUMBERS = ("sets", "reps", "times_per_day")
MAX_OVERRIDE_ROWS = 100  # far more than any protocol has exercises; bounds the loop over what was sent


@dataclass
class OverrideRow:
    """One exercise of the protocol, with the dosage typed for this patient (blank: the protocol's)."""

    exercise: str
    name: str = ""
    default: dict = field(default_factory=dict)
    typed: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    index: int = 0  # the row's place in the form, which names its inputs

    @property
    def error_ids(self) -> dict[str, str]:
        return {n: f"ov-{self.index}-{n}-error" for n in ("exercise", *OVERRIDE_NUMBERS)}

    @property
    def filled(self) -> bool:
        return any(self.typed.get(n, "").strip() for n in OVERRIDE_NUMBERS)


def protocol_exercises(version: ProtocolVersion | None) -> list[OverrideRow]:
    """Each exercise of the protocol once, in the order it first appears, with its first dosage."""
    rows: dict[str, OverrideRow] = {}
    for exercise in version.definition.exercises if version else ():
        if exercise.code not in rows:
            default = {n: getattr(exercise, n) for n in OVERRIDE_NUMBERS}
            rows[exercise.code] = OverrideRow(
                exercise=exercise.code, name=exercise.name, default=default, index=len(rows)
            )
    return list(rows.values())


def protocol_choices() -> list[dict]:
    return [
        {"code": code, "name": v.definition.name, "version": v.version, "conditions": v.definition.conditions}
        for code, v in sorted(protocol_versions_latest().items())
    ]


def clinic_staff(clinic_id: int):
    return User.objects.filter(
        clinic_id=clinic_id, role__in=(User.Role.PHYSIO, User.Role.CLINIC_ADMIN), is_active=True
    ).order_by("display_name", "username")


@dataclass
class Typed:
    """The form as it was typed: shown again, unchanged, when it is refused."""

    values: dict
    comorbidities: list[str]
    biomechanics: list[str]
    overrides: list[OverrideRow]


def typed_from(post: QueryDict, *, versions: dict[str, ProtocolVersion]) -> Typed:
    values = {
        name: post.get(name, "")
        for name in ("display_name", "timezone", "side", "condition", "protocol", "start_date", "assigned_physio")
    }
    rows = protocol_exercises(versions.get(values["protocol"]))
    # Rows typed for another protocol (changed without scripts) are kept as sent, so the API's own
    # refusal names them.
    for index in range(MAX_OVERRIDE_ROWS):
        code = post.get(f"exercise_overrides.{index}.exercise")
        if code is None:
            break
        typed = {n: post.get(f"exercise_overrides.{index}.{n}", "") for n in OVERRIDE_NUMBERS}
        match = next((row for row in rows if row.exercise == code), None)
        if match is None:
            rows.append(OverrideRow(exercise=code, name=code, typed=typed, index=len(rows)))
        else:
            match.typed = typed
    return Typed(
        values=values,
        comorbidities=post.getlist("comorbidities"),
        biomechanics=[name for name in BIOMECHANICS if post.get(f"biomechanics.{name}") == "on"],
        overrides=rows,
    )


def api_body(typed: Typed) -> tuple[dict, list[int]]:
    """The API's request body for what was typed, and which form row each sent override came from.

    Numbers are sent as the JSON numbers a client would send (the API refuses "2" for 2); anything
    else typed goes as it is, and a blank number not at all, so the API's own message names it.
    """
    body = {k: v for k, v in typed.values.items() if k != "assigned_physio"}
    # The select always sends a choice: a colleague's id, or "" for nobody.
    body["assigned_physio"] = _number(typed.values["assigned_physio"]) or None
    body["comorbidities"] = typed.comorbidities
    body["biomechanics"] = {name: True for name in typed.biomechanics}
    rows = [index for index, row in enumerate(typed.overrides) if row.filled]
    body["exercise_overrides"] = [
        {
            "exercise": typed.overrides[i].exercise,
            **{n: _number(v) for n in OVERRIDE_NUMBERS if (v := typed.overrides[i].typed.get(n, "").strip())},
        }
        for i in rows
    ]
    return body, rows


def _number(typed: str):
    return int(typed) if typed.isascii() and typed.isdigit() else typed


def errors_placed(typed: Typed, errors: dict[str, list[str]], sent_rows: list[int]) -> dict[str, list[str]]:
    """The API's errors put next to the form's fields: an override's on its row (in `typed`), the rest by name.

    `comorbidities.0` is shown on the comorbidities; a name no field has is shown above the form.
    """
    placed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "exercise_overrides" and len(parts) == 3 and parts[1].isdigit():
            row = typed.overrides[sent_rows[int(parts[1])]]
            row.errors.setdefault(parts[2], []).extend(messages)
            continue
        name = parts[0] if parts[0] in FIELD_NAMES else "non_field_errors"
        placed.setdefault(name, []).extend(messages)
    return placed


FIELD_NAMES = frozenset(
    (
        "display_name",
        "timezone",
        "side",
        "condition",
        "protocol",
        "start_date",
        "assigned_physio",
        "comorbidities",
        "biomechanics",
        "exercise_overrides",
        "form_token",
        "non_field_errors",
    )
)

SIDES = Patient.Side.choices
CONDITIONS = Patient.Condition.choices
COMORBIDITIES = Patient.Comorbidity.choices
