"""Reading a patient's whole record for export: FHIR R4 `$everything` and the contract's JSON shapes.

A fixed number of queries whatever the record's size: one per table read.
"""

from config import clock
from patients.models import Patient, User
from protocols.models import ProtocolVersion
from rehab.alerts.models import Alert
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.exchange.fhir import alerts, care, logs, people
from rehab.exchange.fhir.codes import Codes
from rehab.exchange.fhir.questionnaire import questionnaire
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse


def patient_everything(*, patient: Patient, base: str) -> dict:
    """The patient's record as a FHIR R4 Bundle of type `searchset`.

    `base` is this server's FHIR base URL (`https://host/api/v1/fhir`): every fullUrl is
    `<base>/<type>/<id>`, so every reference, written relative (`Patient/12`), resolves inside the
    bundle. Ids come from row ids and never change from one export to the next.
    """
    codes = Codes(base=base)
    today = clock.local_today(patient.timezone)
    patient = Patient.objects.select_related("clinic").get(pk=patient.pk)
    enrollments = list(
        Enrollment.objects.filter(patient=patient).select_related("protocol_version__protocol").order_by("start_date")
    )
    milestones: dict[int, list[Milestone]] = {e.pk: [] for e in enrollments}
    for milestone in Milestone.objects.filter(enrollment__patient=patient).order_by("enrollment_id", "position"):
        milestones[milestone.enrollment_id].append(milestone)
    events = list(ClinicalEvent.objects.filter(patient=patient).order_by("date", "id"))
    patient_alerts = list(Alert.objects.filter(patient=patient).order_by("created_at", "id"))

    resources = [people.patient_resource(patient, codes), people.organization(patient.clinic)]
    resources += _practitioners(patient, enrollments, milestones, events, patient_alerts)
    resources += care.conditions(patient)
    resources += [
        care.procedure(e, patient, codes, today=today) for e in events if e.kind == ClinicalEvent.Kind.SURGERY
    ]
    versions: dict[int, ProtocolVersion] = {e.protocol_version_id: e.protocol_version for e in enrollments}
    resources += [care.plan_definition(v, codes) for _, v in sorted(versions.items())]
    resources += [care.care_plan(e, milestones[e.pk], codes, today=today) for e in enrollments]
    resources += [logs.pain_observation(log, codes) for log in _logs(PainLog, patient, "recorded_at")]
    resources += [logs.exercise_observation(log, codes) for log in _logs(ExerciseLog, patient, "performed_at")]
    visa_a = list(_logs(VisaAResponse, patient, "completed_at"))
    if visa_a:
        resources.append(questionnaire(codes))
    for log in visa_a:
        resources += [logs.visa_a_response(log, codes), logs.visa_a_total(log, codes)]
    resources += [logs.symptom_observation(log, codes) for log in _logs(SymptomReport, patient, "reported_at")]
    resources += [logs.medication_statement(log, codes) for log in _logs(MedicationLog, patient, "taken_on")]
    for alert in patient_alerts:
        resources += alerts.alert_resources(alert, codes)
    return {
        "resourceType": "Bundle",
        "id": f"patient-{patient.pk}-everything",
        "type": "searchset",
        "timestamp": clock.now().isoformat(),
        "total": len(resources),
        "link": [{"relation": "self", "url": f"{base}/Patient/{patient.pk}/$everything"}],
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match" if r["resourceType"] == "Patient" else "include"},
            }
            for r in resources
        ],
    }


def _logs(model, patient: Patient, when: str):
    return model.objects.filter(patient=patient).order_by(when, "id")


def _practitioners(patient, enrollments, milestones, events, patient_alerts) -> list[dict]:
    """Every member of staff the record names: who decided, recorded, enrolled, acknowledged or resolved."""
    ids = {patient.assigned_physio_id}
    ids |= {e.created_by_id for e in enrollments}
    ids |= {m.decided_by_id for rows in milestones.values() for m in rows}
    ids |= {e.recorded_by_id for e in events if e.kind == ClinicalEvent.Kind.SURGERY}
    ids.discard(None)
    return [people.practitioner(u) for u in User.objects.filter(pk__in=ids).order_by("pk")]
