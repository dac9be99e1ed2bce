"""What the patient logged: pain and exercise as Observations, VISA-A as a QuestionnaireResponse and
its total, symptom reports as Observations, medication as MedicationStatements."""

from rehab.exchange.fhir import codes as c
from rehab.exchange.fhir.codes import Codes
from rehab.exchange.fhir.people import patient_ref, ref
from rehab.exchange.fhir.questionnaire import questionnaire_canonical
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport, VisaAResponse


def _category(code: str) -> list[dict]:
    return [c.hl7(c.OBSERVATION_CATEGORY, code)]


def _observation(id_: str, patient_id: int, category: str, code: dict, at) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "category": _category(category),
        "code": code,
        "subject": patient_ref(patient_id),
        "effectiveDateTime": at.isoformat(),
    }


def _issued(resource: dict, log) -> dict:
    resource["issued"] = log.received_at.isoformat()  # when the server received it
    return resource


def _noted(resource: dict, note: str) -> dict:
    if note:
        resource["note"] = [{"text": note}]
    return resource


def pain_observation(log: PainLog, codes: Codes) -> dict:
    """A pain entry: LOINC 72514-3, the score as valueInteger, at the entry's own time.

    Its context (rest, morning, ...) is a component coded in the local pain-context system.
    """
    resource = _observation(f"pain-{log.pk}", log.patient_id, "survey", {"coding": [c.PAIN_SEVERITY]}, log.recorded_at)
    resource["valueInteger"] = log.score
    resource["component"] = [
        {
            "code": codes.concept("observation-component", "pain-context", "Pain context"),
            "valueCodeableConcept": codes.concept("pain-context", log.context),
        }
    ]
    return _noted(_issued(resource, log), log.note)


def exercise_observation(log: ExerciseLog, codes: Codes) -> dict:
    """An exercise session: the exercise, sets, reps and pain during it as components; completed as the value."""
    code = codes.concept("observation-code", "exercise-session", "Exercise session")
    resource = _observation(f"exercise-{log.pk}", log.patient_id, "activity", code, log.performed_at)
    resource["valueBoolean"] = log.completed
    components = [
        {
            "code": codes.concept("observation-component", "exercise", "Exercise"),
            "valueCodeableConcept": codes.concept("exercise", log.exercise),
        },
        {"code": codes.concept("observation-component", "sets", "Sets"), "valueInteger": log.sets},
        {"code": codes.concept("observation-component", "reps", "Repetitions"), "valueInteger": log.reps},
    ]
    if log.pain_during is not None:
        components.append(
            {"code": {"coding": [c.PAIN_SEVERITY], "text": "Pain during"}, "valueInteger": log.pain_during}
        )
    resource["component"] = components
    return _issued(resource, log)


def visa_a_response(log: VisaAResponse, codes: Codes) -> dict:
    items = [{"linkId": f"q{n}", "answer": [{"valueInteger": getattr(log, f"q{n}")}]} for n in range(1, 8)]
    items.append({"linkId": "q8-branch", "answer": [{"valueCoding": codes.coding("visa-a-q8-branch", log.q8_branch)}]})
    items.append({"linkId": "q8", "answer": [{"valueInteger": log.q8}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"visa-a-{log.pk}",
        "questionnaire": questionnaire_canonical(codes),
        "status": "completed",
        "subject": patient_ref(log.patient_id),
        "authored": log.completed_at.isoformat(),
        "source": patient_ref(log.patient_id),
        "item": items,
    }


def visa_a_total(log: VisaAResponse, codes: Codes) -> dict:
    code = codes.concept("visa-a", "total", "VISA-A total score")
    resource = _observation(f"visa-a-total-{log.pk}", log.patient_id, "survey", code, log.completed_at)
    resource["valueInteger"] = log.score
    resource["derivedFrom"] = [ref("QuestionnaireResponse", f"visa-a-{log.pk}")]
    return _issued(resource, log)


def symptom_observation(log: SymptomReport, codes: Codes) -> dict:
    """A symptom report: each symptom a component; the value is the advice tier it was given."""
    code = codes.concept("observation-code", "symptom-report", "Symptom report")
    resource = _observation(f"symptoms-{log.pk}", log.patient_id, "survey", code, log.reported_at)
    resource["valueCodeableConcept"] = codes.concept("red-flag-tier", log.tier, log.advice)
    resource["component"] = [
        {"code": codes.concept("symptom", symptom), "valueBoolean": True} for symptom in log.symptoms
    ]
    return _noted(_issued(resource, log), log.note)


def medication_statement(log: MedicationLog, codes: Codes) -> dict:
    medication = codes.concept("medication-kind", log.kind, log.name or None)
    dosage = {"route": codes.concept("medication-route", log.route)}
    if log.site:
        dosage["site"] = codes.concept("injection-site", log.site)
    resource = {
        "resourceType": "MedicationStatement",
        "id": f"medication-{log.pk}",
        "status": "completed",
        "medicationCodeableConcept": medication,
        "subject": patient_ref(log.patient_id),
        "effectiveDateTime": log.taken_on.isoformat(),
        "dateAsserted": log.received_at.isoformat(),
        "informationSource": patient_ref(log.patient_id),
        "dosage": [dosage],
    }
    if log.indication == MedicationLog.HO_PROPHYLAXIS:
        resource["reasonCode"] = [codes.concept("medication-indication", log.indication)]
    elif log.indication:
        resource["reasonCode"] = [{"text": log.indication}]
    return resource
