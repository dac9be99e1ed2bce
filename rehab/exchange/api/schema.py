"""The schema of the exchange's operations: FHIR bodies, and on FHIR paths errors as OperationOutcome.

The base schema class documents each operation's errors from how the view is built (config.api.schema);
here their bodies are swapped for what these views really answer.
"""

from config.api.throttled_schema import ThrottleAwareAutoSchema
from rehab.exchange.api.fhir_http import FHIR_JSON, JSON

OPERATION_OUTCOME = {
    "type": "object",
    "description": "A FHIR R4 OperationOutcome: why the request was refused.",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                    "code": {"type": "string", "description": "An http://hl7.org/fhir/issue-type code."},
                    "diagnostics": {"type": "string"},
                },
            },
        },
    },
}

RESOURCE = {
    "type": "object",
    "required": ["resourceType", "id"],
    "properties": {"resourceType": {"type": "string"}, "id": {"type": "string"}},
    "additionalProperties": True,
}

BUNDLE = {
    "type": "object",
    "description": "A FHIR R4 Bundle of type searchset: every resource of the patient (docs/fhir.md).",
    "required": ["resourceType", "type", "entry"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "id": {"type": "string"},
        "type": {"type": "string", "enum": ["searchset"]},
        "timestamp": {"type": "string", "format": "date-time"},
        "total": {"type": "integer", "minimum": 0},
        "link": {"type": "array", "items": {"type": "object"}},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fullUrl", "resource"],
                "properties": {
                    "fullUrl": {"type": "string"},
                    "resource": RESOURCE,
                    "search": {
                        "type": "object",
                        "properties": {"mode": {"type": "string", "enum": ["match", "include"]}},
                    },
                },
            },
        },
    },
}

_LIST = {"type": "array", "items": {"type": "object"}}
EXPORT_JSON = {
    "type": "object",
    "description": (
        "The patient's copy in the API's own shapes: `me` as GET /me/, `patient` as the clinicians' record, "
        "each log kind as its list answers, clinical events, alerts, devices and reminders."
    ),
    "required": ["format", "exported_at", "me", "patient", "clinical_events", "alerts", "devices", "reminders"],
    "properties": {
        "format": {"type": "string", "enum": ["json"]},
        "exported_at": {"type": "string", "format": "date-time"},
        "me": {"type": "object"},
        "patient": {"type": "object"},
        "pain_logs": _LIST,
        "exercise_logs": _LIST,
        "visa_a": _LIST,
        "symptom_reports": _LIST,
        "medication_logs": _LIST,
        "clinical_events": _LIST,
        "alerts": _LIST,
        "devices": _LIST,
        "reminders": _LIST,
    },
}

QUESTIONNAIRE = {
    "type": "object",
    "description": "The canonical VISA-A Questionnaire (FHIR R4).",
    "required": ["resourceType", "id", "url", "version", "status", "item"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Questionnaire"]},
        "id": {"type": "string"},
        "url": {"type": "string"},
        "version": {"type": "string"},
        "status": {"type": "string"},
        "item": {"type": "array", "items": {"type": "object"}},
    },
}


class _NoFormatParameter:
    """DRF's `?format=` override is off on these views (rehab.exchange.api.fhir_http.AcceptNegotiation)."""

    def _get_format_parameters(self):
        return []


class FHIRAutoSchema(_NoFormatParameter, ThrottleAwareAutoSchema):
    """Errors of a FHIR path are OperationOutcomes, under both of its media types."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                response["content"] = {FHIR_JSON: {"schema": OPERATION_OUTCOME}, JSON: {"schema": OPERATION_OUTCOME}}
        return operation


class JSONErrorsAutoSchema(_NoFormatParameter, ThrottleAwareAutoSchema):
    """Errors in the contract's shape, which these views always answer as application/json."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for status, response in operation["responses"].items():
            if int(status) >= 400 and JSON in response.get("content", {}):
                response["content"] = {JSON: response["content"][JSON]}
        return operation


def fhir_operation_paths(result, generator, request, public):
    """POSTPROCESSING_HOOKS: FHIR operations keep their `$` (`/Patient/{id}/$everything`).

    drf-spectacular reads a path's `$` as a regular expression's end anchor and drops it.
    """
    paths = result.get("paths", {})
    for operation in FHIR_OPERATIONS:
        stripped = operation.replace("/$", "/")
        if stripped in paths:
            paths[operation] = paths.pop(stripped)
    return result


FHIR_OPERATIONS = ("/api/v1/fhir/Patient/{id}/$everything", "/api/v1/fhir/Group/{clinic_id}/$export")
