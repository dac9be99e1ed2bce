from rehab.exchange.selectors.clinic import BULK_TYPES, clinic_resources
from rehab.exchange.selectors.patient import patient_everything

__all__ = ["BULK_TYPES", "clinic_resources", "patient_everything"]
