"""Organization (the clinic), Practitioner (staff who decided or recorded), Patient (the clinic's label)."""

from patients.models import Clinic, Patient, User
from rehab.exchange.fhir.codes import Codes


def ref(resource_type: str, id_: str) -> dict:
    return {"reference": f"{resource_type}/{id_}"}


def organization_id(clinic_id: int) -> str:
    return f"clinic-{clinic_id}"


def practitioner_id(user_id: int) -> str:
    return f"staff-{user_id}"


def patient_ref(patient_id: int) -> dict:
    return ref("Patient", str(patient_id))


def practitioner_ref(user_id: int) -> dict:
    return ref("Practitioner", practitioner_id(user_id))


def organization(clinic: Clinic) -> dict:
    return {"resourceType": "Organization", "id": organization_id(clinic.pk), "active": True, "name": clinic.name}


def practitioner(user: User) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": practitioner_id(user.pk),
        "active": user.is_active,
        "name": [{"text": user.display_name or f"Staff #{user.pk}"}],
    }


def patient_resource(patient: Patient, codes: Codes) -> dict:
    """Only what the clinic gave: its own label for the patient, its id, the clinic and the physio.

    No birth date, gender or address: we never ask for them. The label of an erased patient is
    already its pseudonym ("Erased patient #<id>").
    """
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"use": "usual", "system": codes.system("patient-id"), "value": str(patient.pk)}],
        "active": patient.status == Patient.Status.ACTIVE,
        "name": [{"use": "usual", "text": patient.display_name}],
        "managingOrganization": ref("Organization", organization_id(patient.clinic_id)),
    }
    if patient.assigned_physio_id:
        resource["generalPractitioner"] = [practitioner_ref(patient.assigned_physio_id)]
    return resource
