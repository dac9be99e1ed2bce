"""VISA-A (Robinson 2001): 8 items, total 0-100, higher is better.

The backend stores each item and computes the total; any value the
questionnaire does not offer is refused, with the item named.
"""

from collections.abc import Mapping

PAIN_FUNCTION_ITEMS = ("q1", "q2", "q3", "q4", "q5", "q6")
Q7_SCORES = (0, 4, 7, 10)
Q8_SCORES = {
    "A": (0, 7, 14, 21, 30),  # no pain while loading
    "B": (0, 4, 10, 14, 20),  # pain, but completes the activity
    "C": (0, 2, 5, 7, 10),  # pain stops the activity
}


class VisaAInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def visa_a_score(answers: Mapping) -> int:
    """The total score; raises VisaAInvalid naming every item that is out of range."""
    errors: dict[str, list[str]] = {}
    for item in PAIN_FUNCTION_ITEMS:
        value = answers.get(item)
        if not _is_int(value) or not 0 <= value <= 10:
            errors[item] = ["Must be a whole number from 0 to 10."]
    q7 = answers.get("q7")
    if not _is_int(q7) or q7 not in Q7_SCORES:
        errors["q7"] = [f"Must be one of {', '.join(map(str, Q7_SCORES))}."]
    branch = answers.get("q8_branch")
    q8 = answers.get("q8")
    if not isinstance(branch, str) or branch not in Q8_SCORES:
        errors["q8_branch"] = ["Answer exactly one Q8 branch: A, B or C."]
    elif not _is_int(q8) or q8 not in Q8_SCORES[branch]:
        allowed = ", ".join(map(str, Q8_SCORES[branch]))
        errors["q8"] = [f"Branch {branch} allows {allowed}."]
    if errors:
        raise VisaAInvalid(errors)
    return sum(answers[i] for i in PAIN_FUNCTION_ITEMS) + q7 + q8
