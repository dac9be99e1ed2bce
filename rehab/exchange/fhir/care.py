"""The diagnosis and the care: Condition per side, Procedure for surgery, PlanDefinition, CarePlan."""

from datetime import date

from patients.models import Patient
from protocols.models import ProtocolVersion
from protocols.timeline import dated_phases
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.exchange.fhir import codes as c
from rehab.exchange.fhir.codes import Codes
from rehab.exchange.fhir.people import patient_ref, practitioner_ref, ref


def sides_of(patient: Patient) -> list[str]:
    return ["right", "left"] if patient.side == Patient.Side.BOTH else [patient.side]


def condition_id(patient_id: int, side: str) -> str:
    return f"condition-{patient_id}-{side}"


def conditions(patient: Patient) -> list[dict]:
    """One Condition per affected side (two for `both`): ICD-10-CM codes carry the side."""
    clinical = "active" if patient.status == Patient.Status.ACTIVE else "inactive"
    found = []
    for side in sides_of(patient):
        code, display = c.ICD10CM_BY_CONDITION_AND_SIDE[(patient.condition, side)]
        found.append(
            {
                "resourceType": "Condition",
                "id": condition_id(patient.pk, side),
                "clinicalStatus": c.hl7(c.CONDITION_CLINICAL, clinical),
                "verificationStatus": c.hl7(c.CONDITION_VERIFICATION, "confirmed"),
                "category": [c.hl7(c.CONDITION_CATEGORY, "problem-list-item")],
                "code": {
                    "coding": [{"system": c.ICD10CM, "code": code, "display": display}],
                    "text": f"{c.CONDITION_TEXT[patient.condition]}, {side}",
                },
                "subject": patient_ref(patient.pk),
                "recordedDate": patient.created_at.date().isoformat(),
            }
        )
    return found


def procedure(event: ClinicalEvent, patient: Patient, codes: Codes, *, today: date) -> dict:
    """A surgery a clinician recorded; one planned for a later date is still in preparation."""
    resource = {
        "resourceType": "Procedure",
        "id": f"surgery-{event.pk}",
        "status": "completed" if event.date <= today else "preparation",
        "code": codes.concept("clinical-event", event.kind, "Surgery"),
        "subject": patient_ref(patient.pk),
        "performedDateTime": event.date.isoformat(),
        "reasonReference": [ref("Condition", condition_id(patient.pk, side)) for side in sides_of(patient)],
    }
    if event.recorded_by_id:
        resource["recorder"] = practitioner_ref(event.recorded_by_id)
    if event.note:
        resource["note"] = [{"text": event.note}]
    return resource


def plan_definition_id(version: ProtocolVersion) -> str:
    return f"{version.protocol.code}-v{version.version}"


def plan_definition(version: ProtocolVersion, codes: Codes) -> dict:
    """A published protocol version: its phases and milestones as actions, timed in days from day 0."""
    definition = version.definition
    phases = [
        {
            "id": f"phase-{p.code}",
            "title": p.name,
            "code": [codes.concept("protocol-phase", p.code)],
            "timingRange": {
                "low": c.days(p.first_day),
                **({"high": c.days(p.last_day)} if p.last_day is not None else {}),
            },
        }
        for p in definition.phases
    ]
    milestones = [
        {
            "id": f"milestone-{m.code}",
            "title": m.name,
            "code": [codes.concept("milestone", m.code)],
            "timingRange": {"low": c.days(m.window_start_day), "high": c.days(m.window_end_day)},
        }
        for m in definition.milestones
    ]
    return {
        "resourceType": "PlanDefinition",
        "id": plan_definition_id(version),
        "url": codes.canonical("PlanDefinition", version.protocol.code),
        "version": str(version.version),
        "title": definition.name,
        "status": "active",
        "action": phases + milestones,
    }


def plan_canonical(version: ProtocolVersion, codes: Codes) -> str:
    return f"{codes.canonical('PlanDefinition', version.protocol.code)}|{version.version}"


def care_plan(enrollment: Enrollment, milestones: list[Milestone], codes: Codes, *, today: date) -> dict:
    """An enrolment: the protocol version it instantiates, its period, its dated phases and milestones."""
    if enrollment.start_date > today:
        status = "draft"
    elif enrollment.end_date is not None and enrollment.end_date < today:
        status = "completed"
    else:
        status = "active"
    period = {"start": enrollment.start_date.isoformat()}
    if enrollment.end_date:
        period["end"] = enrollment.end_date.isoformat()
    activities = [_phase_activity(p, enrollment, codes, today=today) for p in _phases(enrollment)]
    activities += [_milestone_activity(m, codes) for m in milestones]
    resource = {
        "resourceType": "CarePlan",
        "id": f"enrollment-{enrollment.pk}",
        "instantiatesCanonical": [plan_canonical(enrollment.protocol_version, codes)],
        "status": status,
        "intent": "plan",
        "title": enrollment.protocol_version.definition.name,
        "subject": patient_ref(enrollment.patient_id),
        "period": period,
        "created": enrollment.created_at.isoformat(),
        "activity": activities,
    }
    if enrollment.created_by_id:
        resource["author"] = practitioner_ref(enrollment.created_by_id)
    if enrollment.reason:
        resource["description"] = enrollment.reason
    return resource


def _phases(enrollment: Enrollment):
    return dated_phases(enrollment.protocol_version.definition, enrollment.start_date)


def _phase_activity(phase, enrollment: Enrollment, codes: Codes, *, today: date) -> dict:
    ended = enrollment.end_date
    if ended is not None and phase.start > ended:
        status = "cancelled"  # the enrolment ended before this phase began
    elif (phase.end is not None and phase.end < today) or (ended is not None and ended < today):
        status = "completed"
    elif phase.start <= today:
        status = "in-progress"
    else:
        status = "not-started"
    end = phase.end if ended is None or (phase.end is not None and phase.end <= ended) else ended
    period = {"start": phase.start.isoformat()}
    if end is not None and end >= phase.start:
        period["end"] = end.isoformat()
    return {
        "detail": {
            "code": codes.concept("protocol-phase", phase.code, phase.name),
            "status": status,
            "scheduledPeriod": period,
        }
    }


def _milestone_activity(milestone: Milestone, codes: Codes) -> dict:
    detail = {
        "code": codes.concept("milestone", milestone.code, milestone.name),
        "status": c.CARE_PLAN_ACTIVITY_OF_MILESTONE[milestone.status],
        "statusReason": codes.concept("milestone-status", milestone.status),
        "scheduledPeriod": {"start": milestone.window_start.isoformat(), "end": milestone.window_end.isoformat()},
    }
    if milestone.decided_by_id:
        detail["performer"] = [practitioner_ref(milestone.decided_by_id)]
    activity = {"detail": detail}
    if milestone.note:
        note = {"text": milestone.note}
        if milestone.decided_at:
            note["time"] = milestone.decided_at.isoformat()
        if milestone.decided_by_id:
            note["authorReference"] = practitioner_ref(milestone.decided_by_id)
        activity["progress"] = [note]
    return activity
