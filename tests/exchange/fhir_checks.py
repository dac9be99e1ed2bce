"""What a FHIR export must pass: parsing by fhir.resources (R4B models), the HL7 R4 JSON Schema,
the value sets its codes bind to, and references that resolve inside the bundle.

fhir.resources and the JSON Schema check structure and types; neither checks that a status or a
category is one of its value set's codes, so `value_set_violations` does (the R4 value sets,
extracted from the same package as the schema: tests/exchange/fhir/README.md).
"""

import json
from functools import cache
from pathlib import Path

import jsonschema
from fhir.resources.R4B import get_fhir_model_class

HERE = Path(__file__).resolve().parent / "fhir"
UCUM = "http://unitsofmeasure.org"


@cache
def _validator() -> jsonschema.Draft6Validator:
    schema = json.loads((HERE / "fhir.schema.json").read_text())
    return jsonschema.Draft6Validator(schema)


@cache
def value_sets() -> dict[str, dict]:
    return json.loads((HERE / "valuesets-r4.json").read_text())["valueSets"]


def schema_errors(resource: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(resource)]


def parse_r4b(resource: dict):
    """The resource as its fhir.resources R4B model (pydantic v2): raises on anything invalid."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _vs(name: str) -> str:
    return f"http://hl7.org/fhir/ValueSet/{name}"


# (resource type or "*", path of a code, value set). A path walks dicts and lists; a path ending in
# a CodeableConcept checks each of its codings of the value set's systems.
BINDINGS = [
    ("Bundle", "type", "bundle-type"),
    ("Bundle", "entry.search.mode", "search-entry-mode"),
    ("Patient", "name.use", "name-use"),
    ("Patient", "identifier.use", "identifier-use"),
    ("Observation", "status", "observation-status"),
    ("Observation", "category", "observation-category"),
    ("Condition", "clinicalStatus", "condition-clinical"),
    ("Condition", "verificationStatus", "condition-ver-status"),
    ("Condition", "category", "condition-category"),
    ("Procedure", "status", "event-status"),
    ("PlanDefinition", "status", "publication-status"),
    ("CarePlan", "status", "request-status"),
    ("CarePlan", "intent", "care-plan-intent"),
    ("CarePlan", "activity.detail.status", "care-plan-activity-status"),
    ("Questionnaire", "status", "publication-status"),
    ("Questionnaire", "item.type", "item-type"),
    ("QuestionnaireResponse", "status", "questionnaire-answers-status"),
    ("MedicationStatement", "status", "medication-statement-status"),
    ("ServiceRequest", "status", "request-status"),
    ("ServiceRequest", "intent", "request-intent"),
    ("ServiceRequest", "priority", "request-priority"),
    ("Flag", "status", "flag-status"),
    ("Flag", "category", "flag-category"),
    ("DetectedIssue", "status", "observation-status"),
    ("DetectedIssue", "severity", "detectedissue-severity"),
    ("OperationOutcome", "issue.severity", "issue-severity"),
    ("OperationOutcome", "issue.code", "issue-type"),
]
# Every status-like element the export writes must be bound above, so a new one cannot go unchecked.
STATUS_ELEMENTS = {"status", "intent", "priority", "severity", "mode", "use", "type", "category"}


def _values(node, path: list[str]):
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
        return
    if not path:
        yield node
        return
    if isinstance(node, dict) and path[0] in node:
        yield from _values(node[path[0]], path[1:])


def value_set_violations(resource: dict) -> list[str]:
    found = []
    for resource_type, path, name in BINDINGS:
        if resource_type != resource["resourceType"]:
            continue
        allowed = value_sets()[_vs(name)]
        for value in _values(resource, path.split(".")):
            if isinstance(value, str):
                codes = [value]
            else:  # a CodeableConcept: its codings of the bound systems, and at least one of them
                codes = [c["code"] for c in value.get("coding", []) if c.get("system") in allowed["systems"]]
                if not codes:
                    found.append(f"{resource_type}.{path}: no coding of {allowed['systems']}")
            found += [f"{resource_type}.{path}: {c!r} not in {name}" for c in codes if c not in allowed["codes"]]
    return found


def quantity_violations(resource) -> list[str]:
    """Every Quantity the export writes is in UCUM, with the unit matching the code."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            in_ucum = node.get("system") == UCUM and node.get("code") == node.get("unit")
            if "value" in node and "unit" in node and not in_ucum:
                found.append(f"{where}: {node}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(resource, resource["resourceType"])
    return found


def references(node):
    """Every `reference` string anywhere in a resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def unresolved_references(bundle: dict) -> list[str]:
    """References (relative `Type/id`, as the export writes them) that name no entry of the bundle,
    and entries whose fullUrl is not `<base>/<Type>/<id>` (so a relative reference resolves against it)."""
    problems = []
    present = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        key = f"{resource['resourceType']}/{resource['id']}"
        if not entry["fullUrl"].endswith("/" + key):
            problems.append(f"fullUrl {entry['fullUrl']} is not that of {key}")
        present.add(key)
    for entry in bundle["entry"]:
        for reference in references(entry["resource"]):
            if reference not in present:
                problems.append(f"{entry['fullUrl']} -> {reference}")
    return problems


def unbound_status_elements(resource: dict) -> list[str]:
    bound = {(t, p.split(".")[0]) for t, p, _ in BINDINGS}
    return [
        f"{resource['resourceType']}.{key} has no value set check"
        for key in STATUS_ELEMENTS & set(resource)
        if (resource["resourceType"], key) not in bound
    ]


def assert_valid_bundle(bundle: dict) -> None:
    """The whole of the Must show's checks on one bundle."""
    assert bundle["resourceType"] == "Bundle"
    assert schema_errors(bundle) == []
    problems = value_set_violations(bundle) + quantity_violations(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        parse_r4b(resource)
        problems += schema_errors(resource) + value_set_violations(resource) + unbound_status_elements(resource)
    parse_r4b(bundle)
    problems += unresolved_references(bundle)
    assert problems == []


def resources_of(bundle: dict, resource_type: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]
