from rehab.models.alerts import Alert, AlertEvent
from rehab.models.audit import AuditEntry
from rehab.models.delivery import Delivery, DeliveryAttempt, WebhookEndpoint
from rehab.models.enrollment import Enrollment, Milestone
from rehab.models.logs import (
    ClinicalEvent,
    Device,
    ExerciseLog,
    MedicationLog,
    PainLog,
    SymptomReport,
    VisaAResponse,
)
from rehab.models.reminders import Reminder

__all__ = [
    "Alert",
    "AlertEvent",
    "AuditEntry",
    "ClinicalEvent",
    "Delivery",
    "DeliveryAttempt",
    "Device",
    "Enrollment",
    "ExerciseLog",
    "MedicationLog",
    "Milestone",
    "PainLog",
    "Reminder",
    "SymptomReport",
    "VisaAResponse",
    "WebhookEndpoint",
]
