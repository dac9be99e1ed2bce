"""The code systems and value sets the export writes, in one place (docs/fhir.md lists them).

Codes of HL7 value sets are the bound ones of R4; local codes (protocol phases, alert codes, ...)
sit under this server's FHIR base, `<base>/CodeSystem/<name>`.
"""

from dataclasses import dataclass

LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"

# The clinical spec, section 6. LOINC 72514-3 is the 0-10 numeric pain rating, as reported.
PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}

# ICD-10-CM codes per condition and side, checked against the CMS code set of April 2026 (the
# simple-icd-10-cm package, 1.5.0): each is a billable leaf code. Calcific insertional tendinopathy
# is calcific tendinitis of the ankle and foot (M65.27-); ICD-10-CM has no code for ossification
# inside a tendon (M61.5- is of muscle), so heterotopic ossification of the Achilles tendon is
# coded at the tendon, Achilles tendinitis (M76.6-), with the condition named in `text`.
ICD10CM_BY_CONDITION_AND_SIDE = {
    ("calcific_insertional_tendinopathy", "right"): ("M65.271", "Calcific tendinitis, right ankle and foot"),
    ("calcific_insertional_tendinopathy", "left"): ("M65.272", "Calcific tendinitis, left ankle and foot"),
    ("achilles_heterotopic_ossification", "right"): ("M76.61", "Achilles tendinitis, right leg"),
    ("achilles_heterotopic_ossification", "left"): ("M76.62", "Achilles tendinitis, left leg"),
}
CONDITION_TEXT = {
    "calcific_insertional_tendinopathy": "Calcific insertional Achilles tendinopathy",
    "achilles_heterotopic_ossification": "Heterotopic ossification in the distal Achilles tendon",
}

# Our statuses -> the R4 value sets they bind to.
CARE_PLAN_ACTIVITY_OF_MILESTONE = {
    "pending": "not-started",
    "open": "in-progress",
    "met": "completed",
    "not_met": "completed",
    "not_judgeable": "completed",
    "bridge": "completed",
    "done": "completed",
    "cancelled": "cancelled",
    "skipped": "stopped",
}
REQUEST_PRIORITY_OF_SEVERITY = {"routine": "routine", "urgent": "urgent", "emergency": "stat"}
DETECTED_ISSUE_SEVERITY = {"routine": "moderate", "urgent": "high", "emergency": "high"}
FLAG_CATEGORY_OF_KIND = {
    "referral": "clinical",
    "engagement": "admin",
    "red_flag": "clinical",
    "safety": "safety",
    "guardrail": "clinical",
}


@dataclass(frozen=True)
class Codes:
    """Codings under one server's FHIR base (the canonical base of its local code systems)."""

    base: str

    def system(self, name: str) -> str:
        return f"{self.base}/CodeSystem/{name}"

    def coding(self, name: str, code: str, display: str | None = None) -> dict:
        coding = {"system": self.system(name), "code": code}
        if display:
            coding["display"] = display
        return coding

    def concept(self, name: str, code: str, text: str | None = None) -> dict:
        concept = {"coding": [self.coding(name, code)]}
        if text:
            concept["text"] = text
        return concept

    def canonical(self, resource_type: str, name: str) -> str:
        return f"{self.base}/{resource_type}/{name}"


def hl7(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def days(value: int) -> dict:
    """A number of days as a UCUM quantity."""
    return {"value": value, "unit": "d", "system": UCUM, "code": "d"}
