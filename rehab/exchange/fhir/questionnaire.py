"""The canonical VISA-A Questionnaire (VISA-A has no LOINC code: a local one, clinical spec section 6).

The item texts are short labels, not the questionnaire's wording: the scoring (rehab.logs.visa_a)
is what the stored answers mean.
"""

from rehab.exchange.fhir.codes import Codes
from rehab.logs import visa_a

QUESTIONNAIRE_ID = "visa-a"
QUESTIONNAIRE_VERSION = "1"

_ITEMS = (
    ("q1", "Minutes of Achilles stiffness on first getting up (10 = none)"),
    ("q2", "Pain when stretching the Achilles over the edge of a step (10 = none)"),
    ("q3", "Pain after walking on flat ground for 6 minutes (10 = none)"),
    ("q4", "Pain walking downstairs with a normal gait cycle (10 = none)"),
    ("q5", "Pain during or after 10 single-leg heel raises (10 = none)"),
    ("q6", "Single-leg hops without pain (10 = ten hops)"),
    ("q7", "Currently undertaking sport or other physical activity"),
)
_BRANCHES = {
    "A": "No pain while undertaking Achilles-loading sport",
    "B": "Pain while undertaking Achilles-loading sport, but it does not stop completion",
    "C": "Pain that stops the completion of Achilles-loading sport",
}


def questionnaire_url(codes: Codes) -> str:
    return codes.canonical("Questionnaire", QUESTIONNAIRE_ID)


def questionnaire_canonical(codes: Codes) -> str:
    return f"{questionnaire_url(codes)}|{QUESTIONNAIRE_VERSION}"


def questionnaire(codes: Codes) -> dict:
    items = []
    for link_id, text in _ITEMS:
        item = {"linkId": link_id, "text": text, "type": "integer", "required": True}
        if link_id == "q7":
            item["answerOption"] = [{"valueInteger": v} for v in visa_a.Q7_SCORES]
        items.append(item)
    items.append(
        {
            "linkId": "q8-branch",
            "text": "Which describes Achilles-loading sport for you (answer one branch)",
            "type": "choice",
            "required": True,
            "answerOption": [{"valueCoding": codes.coding("visa-a-q8-branch", b, t)} for b, t in _BRANCHES.items()],
        }
    )
    items.append(
        {
            "linkId": "q8",
            "text": "Minutes of Achilles-loading sport (scored within the branch answered)",
            "type": "integer",
            "required": True,
        }
    )
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": questionnaire_url(codes),
        "version": QUESTIONNAIRE_VERSION,
        "name": "VISAA",
        "title": "Victorian Institute of Sport Assessment - Achilles (VISA-A)",
        "status": "active",
        "subjectType": ["Patient"],
        "code": [codes.coding("visa-a", "visa-a", "VISA-A questionnaire")],
        "description": "8 items, total 0-100, higher is better (Robinson 2001). The total is items 1-8 summed.",
        "item": items,
    }
