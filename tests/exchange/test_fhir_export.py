"""GET /api/v1/fhir/Patient/{id}/$everything: the record as FHIR R4, valid by every check we can make,
and equal to what is stored."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from patients.api.serializers import tokens_for
from patients.models import AuditEntry
from rehab.care.models import Milestone
from rehab.exchange.fhir.codes import ICD10CM, ICD10CM_BY_CONDITION_AND_SIDE, LOINC
from rehab.logs.models import PainLog, VisaAResponse
from tests.exchange.fhir_checks import assert_valid_bundle, resources_of, value_set_violations
from tests.factories import enrolled_patient
from tests.support import logs
from tests.support.clinician_api import NOW
from tests.support.patient_api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

EVERY_TYPE = {
    "Patient", "Organization", "Practitioner", "Condition", "Procedure", "PlanDefinition", "CarePlan", "Observation",
    "Questionnaire", "QuestionnaireResponse", "MedicationStatement", "ServiceRequest", "Flag", "DetectedIssue",
}  # fmt: skip


def everything(client, patient_id, **headers):
    return client.get(f"/api/v1/fhir/Patient/{patient_id}/$everything", **headers)


def bundle_of(client, patient_id) -> dict:
    response = everything(client, patient_id)
    assert response.status_code == 200, response.content
    return response.json()


def by_id(bundle: dict) -> dict[str, dict]:
    return {f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"] for e in bundle["entry"]}


def test_a_clinician_gets_the_record_as_a_valid_fhir_bundle_of_every_resource_type(physio_client, record):
    response = everything(physio_client, record["patient"].pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    assert bundle["type"] == "searchset"
    assert bundle["total"] == len(bundle["entry"])
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == EVERY_TYPE
    assert_valid_bundle(bundle)


@pytest.mark.parametrize(("accept", "answered"), [
    ("application/fhir+json", "application/fhir+json"),
    ("application/json", "application/json"),
    ("application/fhir+json, application/json;q=0.5", "application/fhir+json"),
    ("*/*", "application/fhir+json"),
])  # fmt: skip
def test_both_media_types_are_accepted(physio_client, record, accept, answered):
    response = everything(physio_client, record["patient"].pk, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == answered
    assert response.json()["resourceType"] == "Bundle"


def test_pain_entries_are_loinc_observations_with_the_stored_scores_times_and_contexts(physio_client, record):
    bundle = bundle_of(physio_client, record["patient"].pk)
    pain = {
        o["id"]: o
        for o in resources_of(bundle, "Observation")
        if (o["code"]["coding"][0]["system"], o["code"]["coding"][0]["code"]) == (LOINC, "72514-3")
    }
    stored = PainLog.objects.filter(patient=record["patient"])
    assert len(pain) == stored.count() == 3
    for log in stored:
        observation = pain[f"pain-{log.pk}"]
        assert observation["valueInteger"] == log.score
        assert observation["effectiveDateTime"] == log.recorded_at.isoformat()
        [context] = observation["component"]
        assert context["valueCodeableConcept"]["coding"][0]["code"] == log.context
        assert observation.get("note", [{}])[0].get("text", "") == log.note


def test_each_visa_a_is_a_response_and_a_total_derived_from_it_equal_to_the_stored_scores(physio_client, record):
    bundle = bundle_of(physio_client, record["patient"].pk)
    resources = by_id(bundle)
    [questionnaire] = resources_of(bundle, "Questionnaire")
    stored = VisaAResponse.objects.filter(patient=record["patient"])
    assert stored.count() == 2
    for log in stored:
        response = resources[f"QuestionnaireResponse/visa-a-{log.pk}"]
        assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
        answers = {item["linkId"]: item["answer"][0] for item in response["item"]}
        assert {k: v["valueInteger"] for k, v in answers.items() if k != "q8-branch"} == {
            f"q{n}": getattr(log, f"q{n}") for n in range(1, 9)
        }
        assert answers["q8-branch"]["valueCoding"]["code"] == log.q8_branch
        total = resources[f"Observation/visa-a-total-{log.pk}"]
        assert total["valueInteger"] == log.score
        assert total["derivedFrom"] == [{"reference": f"QuestionnaireResponse/visa-a-{log.pk}"}]
        assert {item["linkId"] for item in questionnaire["item"]} == set(answers)


def test_a_patient_with_both_sides_has_two_conditions_coded_in_icd_10_cm(physio_client, record):
    conditions = resources_of(bundle_of(physio_client, record["patient"].pk), "Condition")
    codes = sorted(coding["code"] for c in conditions for coding in c["code"]["coding"] if coding["system"] == ICD10CM)
    assert codes == ["M65.271", "M65.272"]  # calcific tendinitis, right and left ankle and foot


def test_the_icd_10_cm_codes_are_billable_codes_of_the_current_code_set():
    icd = pytest.importorskip("simple_icd_10_cm")  # docs/fhir.md: how the codes were checked
    for code, display in ICD10CM_BY_CONDITION_AND_SIDE.values():
        assert icd.is_valid_item(code) and icd.is_leaf(code), code
        assert icd.get_description(code) == display


def test_the_care_plan_instantiates_the_plan_definition_and_dates_the_stored_milestones(physio_client, record):
    bundle = bundle_of(physio_client, record["patient"].pk)
    [plan] = resources_of(bundle, "PlanDefinition")
    [care_plan] = resources_of(bundle, "CarePlan")
    assert care_plan["instantiatesCanonical"] == [f"{plan['url']}|{plan['version']}"]
    assert care_plan["status"] == "active"
    milestones = {
        a["detail"]["code"]["coding"][0]["code"]: a
        for a in care_plan["activity"]
        if a["detail"]["code"]["coding"][0]["system"].endswith("/CodeSystem/milestone")
    }
    stored = Milestone.objects.filter(enrollment__patient=record["patient"])
    assert set(milestones) == {m.code for m in stored}
    for m in stored:
        activity = milestones[m.code]
        assert activity["detail"]["scheduledPeriod"] == {"start": str(m.window_start), "end": str(m.window_end)}
        assert activity["detail"]["statusReason"]["coding"][0]["code"] == m.status
    review = milestones["review-6-8-weeks"]
    assert review["detail"]["status"] == "completed"
    assert review["detail"]["performer"] == [
        {"reference": f"Practitioner/staff-{record['patient'].assigned_physio_id}"}
    ]


def test_alerts_become_service_requests_flags_and_detected_issues(physio_client, record):
    bundle = bundle_of(physio_client, record["patient"].pk)
    [request] = resources_of(bundle, "ServiceRequest")
    assert request["id"] == f"referral-{record['referral'].pk}"
    assert request["status"] == "active"  # acknowledged, not resolved
    open_alerts = record["patient"].alerts.filter(status="open")
    assert {f["id"] for f in resources_of(bundle, "Flag")} == {f"alert-{a.pk}" for a in open_alerts}
    [issue] = resources_of(bundle, "DetectedIssue")
    assert issue["code"]["coding"][0]["code"] == "corticosteroid_injection"
    assert issue["severity"] == "high"


def test_ids_are_stable_across_exports_and_new_data_only_adds(physio_client, record, frozen_clock):
    first = bundle_of(physio_client, record["patient"].pk)
    frozen_clock.move_to(NOW + timedelta(minutes=10))  # within the access token's life
    logs.pain(record["patient"], 3, NOW + timedelta(minutes=5))
    second = bundle_of(physio_client, record["patient"].pk)
    before, after = by_id(first), by_id(second)
    assert set(before) < set(after)
    assert [key for key in after if key not in before] == [f"Observation/pain-{PainLog.objects.latest('id').pk}"]
    unchanged = {k for k in before if k.split("/")[0] not in ("CarePlan", "Flag")}  # today's statuses move
    assert all(before[k] == after[k] for k in unchanged)


def test_another_clinics_patient_is_a_404_operation_outcome(other_physio, record):
    response = everything(client_for(other_physio), record["patient"].pk)
    assert_outcome(response, 404, "not-found")


@pytest.mark.parametrize("path", [
    "/api/v1/fhir/Patient/999999/$everything",
    "/api/v1/fhir/Patient/abc/$everything",
    "/api/v1/fhir/Observation/pain-1",
    "/api/v1/fhir/Questionnaire/visa-b",
])  # fmt: skip
def test_unknown_fhir_paths_are_a_404_operation_outcome(physio_client, path):
    assert_outcome(physio_client.get(path), 404, "not-found")


def test_a_patient_token_is_a_403_and_no_token_a_401_as_operation_outcomes(patient_client, anon_client, record):
    assert_outcome(everything(patient_client, record["patient"].pk), 403, "forbidden")
    assert_outcome(everything(anon_client, record["patient"].pk), 401, "login")
    assert_outcome(anon_client.get("/api/v1/fhir/Questionnaire/visa-a"), 401, "login")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_any_method_on_an_unknown_fhir_path_is_a_404_operation_outcome(physio, method):
    client = APIClient(enforce_csrf_checks=True)  # as a real client meets it: not a CSRF refusal
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(physio)['access']}")
    assert_outcome(getattr(client, method)("/api/v1/fhir/bulk-status/not-a-uuid"), 404, "not-found")


def test_another_method_is_a_405_operation_outcome(physio_client, record):
    response = physio_client.post(f"/api/v1/fhir/Patient/{record['patient'].pk}/$everything", {}, format="json")
    assert_outcome(response, 405, "not-supported")


def assert_outcome(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/fhir+json"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [issue["code"] for issue in outcome["issue"]] == [code]
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in outcome["issue"])
    assert value_set_violations(outcome) == []
    return outcome


def test_the_visa_a_questionnaire_is_served_at_its_canonical_url(physio_client, record):
    [questionnaire] = resources_of(bundle_of(physio_client, record["patient"].pk), "Questionnaire")
    assert questionnaire["url"] == "http://testserver/api/v1/fhir/Questionnaire/visa-a"
    response = physio_client.get(questionnaire["url"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.json() == questionnaire


@pytest.mark.parametrize(
    "base", ["https://fhir.clinic.example/api/v1/fhir", "https://fhir.clinic.example/api/v1/fhir/"]
)
def test_fhir_base_url_fixes_canonical_urls_whatever_host_was_asked(physio_client, record, settings, base):
    settings.FHIR_BASE_URL = base
    bundle = bundle_of(physio_client, record["patient"].pk)
    assert bundle["entry"][0]["fullUrl"] == f"https://fhir.clinic.example/api/v1/fhir/Patient/{record['patient'].pk}"
    [questionnaire] = resources_of(bundle, "Questionnaire")
    assert questionnaire["url"] == "https://fhir.clinic.example/api/v1/fhir/Questionnaire/visa-a"


def test_the_read_is_audited(physio_client, physio, record):
    everything(physio_client, record["patient"].pk)
    entry = AuditEntry.objects.filter(actor=physio, patient=record["patient"]).latest("at")
    assert entry.action == "read" and entry.resource.endswith("/$everything")


def test_the_export_costs_a_fixed_number_of_queries(physio_client, record, django_assert_max_num_queries, clinic):
    for n in range(20):
        logs.pain(record["patient"], n % 10, NOW - timedelta(hours=n + 10), check=False)
    other = enrolled_patient(start=NOW.date() - timedelta(days=3), clinic=clinic)
    with django_assert_max_num_queries(30):
        bundle_of(physio_client, record["patient"].pk)
    with django_assert_max_num_queries(30):
        bundle_of(physio_client, other.pk)
