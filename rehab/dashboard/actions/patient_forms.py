"""The patient page's action forms: what each shows blank, what was typed, and the API body it becomes.

Each form's fields are named as the API's request fields, so what was typed becomes the body the
API would receive (numbers as JSON numbers, nothing invented) and goes through the API's own
serializer; a refusal comes back keyed as the API's error `fields` and is placed on the field of
that name. A refused form is shown again with what was typed and the same one-time token.
"""

from dataclasses import dataclass, field

from django.http import QueryDict

from patients.models import Patient
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.dashboard.actions import new_patient
from rehab.dashboard.actions.new_patient import MAX_OVERRIDE_ROWS, OVERRIDE_NUMBERS, OverrideRow, Typed
from rehab.dashboard.actions.once import form_token_new
from rehab.logs.models import MedicationLog
from rehab.rules.services.clinical_events import DETAILS
from rehab.rules.services.reviews import PHYSIO_OUTCOMES

OUTCOME, EVENT, MOVE, RECORD, DISCHARGE, ACTIVATION = "outcome", "event", "move", "record", "discharge", "activation"

OUTCOME_FIELDS = ("milestone", "outcome", "note")
EVENT_FIELDS = ("kind", "date", "modality", "ho_maturity", "site", "note")
MOVE_FIELDS = ("protocol", "start_date", "reason")

OUTCOME_LABELS = {"met": "Met (improved)", "not_met": "Not met (refer)", "bridge": "Bridge"}
EVENT_LABELS = {
    ClinicalEvent.Kind.IMAGING: "Imaging",
    ClinicalEvent.Kind.SURGICAL_REFERRAL: "Surgical referral",
    ClinicalEvent.Kind.SURGERY: "Surgery",
    ClinicalEvent.Kind.CORTICOSTEROID_INJECTION: "Corticosteroid injection (done or planned)",
    ClinicalEvent.Kind.BRIDGE_IMMOBILISATION: "Bridge immobilisation",
}
DETAIL_LABELS = {"radiograph": "Radiograph", "bone_scan": "Bone scan", "immature": "Immature", "mature": "Mature"}


@dataclass
class ActionForm:
    """One action's form as shown: its token, what is in its fields, and the refusals on them."""

    name: str
    token: str = field(default_factory=form_token_new)
    values: dict = field(default_factory=dict)
    record: Typed | None = None  # the record form's checkboxes and dosage rows
    errors: dict[str, list[str]] = field(default_factory=dict)


# --- what was typed -------------------------------------------------------------------------------
def typed_values(post: QueryDict, names: tuple[str, ...]) -> dict:
    return {name: post.get(name, "") for name in names}


def typed_record(post: QueryDict, *, patient: Patient) -> Typed:
    """The record form as sent: the checkboxes, and each dosage row of the patient's protocol."""
    rows = protocol_rows(patient)
    for index in range(MAX_OVERRIDE_ROWS):
        code = post.get(f"exercise_overrides.{index}.exercise")
        if code is None:
            break
        typed = {n: post.get(f"exercise_overrides.{index}.{n}", "") for n in OVERRIDE_NUMBERS}
        match = next((row for row in rows if row.exercise == code), None)
        if match is None:  # a row of a protocol the patient left since the page was opened: sent as it is
            rows.append(OverrideRow(exercise=code, name=code, typed=typed, index=len(rows)))
        else:
            match.typed = typed
    return Typed(
        values={},
        comorbidities=post.getlist("comorbidities"),
        biomechanics=[name for name in new_patient.BIOMECHANICS if post.get(f"biomechanics.{name}") == "on"],
        overrides=rows,
    )


# --- the API bodies ---------------------------------------------------------------------------------
def outcome_body(values: dict) -> dict:
    return {"outcome": values["outcome"], "note": values["note"]}


def event_body(values: dict) -> dict:
    """Only the details of the kind chosen go (the others' selects are on the page for every kind)."""
    kind = values["kind"]
    details = {key: values[key] for key in DETAILS.get(kind, {}) if values.get(key)}
    return {"kind": kind, "date": values["date"], "details": details, "note": values["note"]}


def move_body(values: dict) -> dict:
    return dict(values)


def record_body(typed: Typed) -> tuple[dict, list[int]]:
    """PATCH's body for the record form, and which dosage row each sent override came from.

    Biomechanics are sent as the new-patient form sends them (the findings present), replacing the
    stored ones; a blank dosage row is the protocol's dosage, so it is not sent.
    """
    body, rows = new_patient.api_body(
        Typed(
            values={"assigned_physio": ""},
            comorbidities=typed.comorbidities,
            biomechanics=typed.biomechanics,
            overrides=typed.overrides,
        )
    )
    body.pop("assigned_physio")  # not on this form: PATCH leaves it as it is
    return body, rows


def errors_placed(
    form: ActionForm, errors: dict[str, list[str]], *, names: tuple[str, ...], sent_rows: list[int] = ()
) -> dict[str, list[str]]:
    """The API's errors on the form's fields: `details.modality` on modality, an override on its row."""
    placed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "exercise_overrides" and len(parts) == 3 and parts[1].isdigit() and form.record:
            row = form.record.overrides[sent_rows[int(parts[1])]]
            row.errors.setdefault(parts[2], []).extend(messages)
            continue
        name = parts[-1] if parts[0] == "details" and len(parts) == 2 else parts[0]
        placed.setdefault(name if name in names else "non_field_errors", []).extend(messages)
    return placed


# --- the blank forms ---------------------------------------------------------------------------------
def current_enrollment(patient: Patient) -> Enrollment | None:
    """The enrolment whose protocol prescribes the dosage: the newest, as patient_update reads it."""
    return Enrollment.objects.filter(patient=patient).select_related("protocol_version").order_by("-start_date").first()


def protocol_rows(patient: Patient) -> list[OverrideRow]:
    enrollment = current_enrollment(patient)
    return new_patient.protocol_exercises(None if enrollment is None else enrollment.protocol_version)


def record_blank(patient: Patient) -> Typed:
    """The record form filled with what is stored: the patient's own dosage on its protocol's rows."""
    rows = protocol_rows(patient)
    for override in patient.exercise_overrides:
        match = next((row for row in rows if row.exercise == override["exercise"]), None)
        if match is not None:
            match.typed = {n: str(override[n]) for n in OVERRIDE_NUMBERS}
    return Typed(
        values={},
        comorbidities=list(patient.comorbidities),
        biomechanics=[name for name, present in patient.biomechanics.items() if present],
        overrides=rows,
    )


def reviews_of(milestones: list[Milestone]) -> list[Milestone]:
    return [m for m in milestones if m.kind == "review"]


def outcome_blank(milestones: list[Milestone], *, today) -> dict:
    """The review to decide first: an open one nobody decided, else the first review."""
    reviews = reviews_of(milestones)
    open_undecided = [m for m in reviews if m.window_start <= today and m.status in Milestone.UNDECIDED]
    first = (open_undecided or reviews or [None])[0]
    return {"milestone": first.code if first else "", "outcome": "", "note": ""}


def forms_blank(*, patient: Patient, milestones: list[Milestone], today) -> dict[str, ActionForm]:
    current = current_enrollment(patient)
    return {
        OUTCOME: ActionForm(OUTCOME, values=outcome_blank(milestones, today=today)),
        EVENT: ActionForm(EVENT, values={**dict.fromkeys(EVENT_FIELDS, ""), "date": today.isoformat()}),
        MOVE: ActionForm(
            MOVE,
            values={
                "protocol": current.protocol_version.protocol.code if current else "",
                "start_date": today.isoformat(),
                "reason": "",
            },
        ),
        RECORD: ActionForm(RECORD, record=record_blank(patient)),
        DISCHARGE: ActionForm(DISCHARGE),
        ACTIVATION: ActionForm(ACTIVATION),
    }


def choices() -> dict:
    return {
        "outcomes": [(o.value, OUTCOME_LABELS[o.value]) for o in PHYSIO_OUTCOMES],
        "event_kinds": [(k.value, EVENT_LABELS[k]) for k in EVENT_LABELS],
        "modalities": _detail_choices(ClinicalEvent.Kind.IMAGING, "modality"),
        "maturities": _detail_choices(ClinicalEvent.Kind.IMAGING, "ho_maturity"),
        "sites": [(s, label) for s, label in MedicationLog.Site.choices],
        "protocols": new_patient.protocol_choices(),
        "comorbidity_choices": new_patient.COMORBIDITIES,
        "biomechanics_choices": [(n, n.replace("_", " ").capitalize()) for n in new_patient.BIOMECHANICS],
    }


def _detail_choices(kind: str, key: str) -> list[tuple[str, str]]:
    values, _ = DETAILS[kind][key]
    return [(v, DETAIL_LABELS.get(v, v)) for v in values]
