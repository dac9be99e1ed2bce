"""FHIR R4 reads for the clinic, the patient's own copy, and erasure.

Doors only: scoping and the audit trail are the clinician base view's (patients.api.base), the
record is read by rehab.exchange.selectors, and erasure is rehab.exchange.services.erasure.
"""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import json
from rest_framework.views import APIView

from config.api.schema import error_responses
from config.api.serializers import query_data
from config.client_address import client_address
from patients.api.base import ClinicScopedViewSet, PatientView
from patients.api.permissions import IsClinicAdmin, IsClinician
from patients.models import Patient
from rehab.exchange.api.export_json import patient_export_json
from rehab.exchange.api.fhir_http import FHIR_JSON, FHIRJSONRenderer, FHIRViewMixin, fhir_base, operation_outcome
from rehab.exchange.api.schema import (
    BUNDLE,
    EXPORT_JSON,
    JSON,
    QUESTIONNAIRE,
    FHIRAutoSchema,
    JSONErrorsAutoSchema,
)
from rehab.exchange.api.serializers import ErasureSerializer, ExportQuerySerializer
from rehab.exchange.fhir.codes import Codes
from rehab.exchange.fhir.questionnaire import questionnaire
from rehab.exchange.selectors import patient_everything
from rehab.exchange.services.erasure import patient_erase


class PatientEverythingView(FHIRViewMixin, ClinicScopedViewSet):
    schema = FHIRAutoSchema()
    patient_url_kwarg = "id"

    def scoped_queryset(self):
        return Patient.objects.all()

    @extend_schema(
        operation_id="fhir_patient_everything",
        summary="A patient's whole record as a FHIR R4 Bundle (searchset)",
        description=(
            "Organization, Practitioner, Patient, Condition, Procedure, PlanDefinition, CarePlan, Observation, "
            "Questionnaire, QuestionnaireResponse, MedicationStatement, ServiceRequest, Flag and DetectedIssue "
            "resources (docs/fhir.md). Errors are OperationOutcome resources."
        ),
        responses={(200, FHIR_JSON): BUNDLE, (200, JSON): BUNDLE},
    )
    def everything(self, request, id=None):
        return Response(patient_everything(patient=self.get_patient(), base=fhir_base(request)))


class QuestionnaireView(FHIRViewMixin, APIView):
    schema = FHIRAutoSchema()
    permission_classes = (IsClinician,)

    @extend_schema(
        operation_id="fhir_questionnaire_visa_a",
        summary="The canonical VISA-A Questionnaire (its canonical URL)",
        responses={(200, FHIR_JSON): QUESTIONNAIRE, (200, JSON): QUESTIONNAIRE},
    )
    def get(self, request):
        return Response(questionnaire(Codes(base=fhir_base(request))))


class MeExportView(PatientView):
    """A FHIR Bundle or the contract's JSON; errors in the contract's shape, as on every /me/ path."""

    schema = JSONErrorsAutoSchema()
    content_negotiation_class = FHIRViewMixin.content_negotiation_class

    def get_renderers(self):
        if self.request is not None and self.request.query_params.get("format") == "json":
            return [JSONRenderer()]
        return [FHIRJSONRenderer(), JSONRenderer()]

    @extend_schema(
        operation_id="me_export",
        summary="Everything stored about me (GDPR articles 15 and 20)",
        description="`?format=fhir` (default): a FHIR R4 Bundle; `?format=json`: the API's own JSON shapes.",
        parameters=[ExportQuerySerializer],
        responses={
            (200, FHIR_JSON): BUNDLE,
            (200, JSON): {"oneOf": [BUNDLE, EXPORT_JSON]},
        },
    )
    def get(self, request):
        query = ExportQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        patient = self.patient
        if query.validated_data["format"] == "json":
            return Response(patient_export_json(patient=patient, user=request.user))
        return Response(patient_everything(patient=patient, base=fhir_base(request)))

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:  # the contract's error shape is JSON, whatever was negotiated
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSON
        return super().finalize_response(request, response, *args, **kwargs)


class PatientEraseView(ClinicScopedViewSet):
    permission_classes = (IsClinicAdmin,)
    patient_url_kwarg = "id"

    def scoped_queryset(self):
        return Patient.objects.all()

    @extend_schema(
        operation_id="patient_erase",
        summary="Erase a discharged patient's identity (GDPR article 17)",
        description=(
            'Clinic admin only. The patient stays, pseudonymised as "Erased patient #<id>"; names, sign-in, '
            'devices, reminders and free text go (docs/fhir.md, "Erasure"). A second call changes nothing '
            "and answers 200 again. 409 for a patient still in care (discharge first)."
        ),
        request=None,
        responses={200: ErasureSerializer, **error_responses(409)},
    )
    def erase(self, request, id=None):
        erasure, _ = patient_erase(patient=self.get_patient(), by=request.user, ip_address=client_address(request))
        return Response(ErasureSerializer(erasure).data)


@csrf_exempt  # it changes nothing: a DELETE or POST there is a 404 too, not a CSRF refusal
def fhir_not_found(request, *args, **kwargs) -> HttpResponse:
    """Any other path under /api/v1/fhir/: FHIR's 404, not the API's (no such resource type or operation)."""
    body = operation_outcome(404, "This server has no such FHIR resource or operation.")
    return HttpResponse(json.dumps(body), status=404, content_type=FHIR_JSON)
