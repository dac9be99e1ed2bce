"""The alert codes of the API contract, with their kind and severity."""

from dataclasses import dataclass

from rehab.alerts.models import Alert

K, S = Alert.Kind, Alert.Severity


@dataclass(frozen=True)
class AlertCode:
    code: str
    kind: str
    severity: str


CODES = {
    c.code: c
    for c in (
        AlertCode("review_not_improved", K.REFERRAL, S.ROUTINE),
        AlertCode("review_not_judgeable", K.ENGAGEMENT, S.ROUTINE),
        AlertCode("not_recovered_6_months", K.REFERRAL, S.ROUTINE),
        AlertCode("no_recent_logs", K.ENGAGEMENT, S.ROUTINE),
        AlertCode("red_flag_emergency", K.RED_FLAG, S.EMERGENCY),
        AlertCode("red_flag_same_day", K.RED_FLAG, S.URGENT),
        AlertCode("red_flag_next_day", K.RED_FLAG, S.ROUTINE),
        AlertCode("corticosteroid_injection", K.SAFETY, S.URGENT),
        AlertCode("nsaid_long_term", K.SAFETY, S.ROUTINE),
        AlertCode("nsaid_kidney_disease", K.SAFETY, S.URGENT),
        AlertCode("ho_referral_without_maturity", K.SAFETY, S.URGENT),
        # Urgent after surgery, routine otherwise: alert_raise takes the severity.
        AlertCode("pain_spike", K.GUARDRAIL, S.ROUTINE),
        AlertCode("exercise_pain_high", K.GUARDRAIL, S.ROUTINE),
        AlertCode("morning_pain_rising", K.GUARDRAIL, S.ROUTINE),
    )
}

# The red-flag tier of a symptom report -> the alert it raises (none raises nothing).
RED_FLAG_ALERTS = {
    "emergency": "red_flag_emergency",
    "same_day": "red_flag_same_day",
    "next_working_day": "red_flag_next_day",
}
