"""FHIR Bulk Data export of a clinic (Bulk Data Access IG 2.0.0): kick-off, status, files.

- GET `fhir/Group/{clinic_id}/$export` with `Prefer: respond-async`: 202 and `Content-Location`
  (the status URL); 429 with Retry-After while the clinic has one in progress.
- GET the status URL: 202 with `X-Progress` while the job runs, 200 with the manifest when done;
  DELETE cancels the job and removes its files (202).
- GET a file: NDJSON (`application/fhir+ndjson`), `Cache-Control: no-store`.

Only the clinic admin who started an export sees its status and files; anyone else gets a 404.
"""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import InstantField, query_data
from config.client_address import client_address
from patients.api.permissions import IsClinicAdmin
from patients.services.audit import audit_record
from rehab.exchange.api.fhir_http import FHIR_JSON, FHIRJSONRenderer, FHIRViewMixin, fhir_base, operation_outcome
from rehab.exchange.api.schema import JSON, OPERATION_OUTCOME, FHIRAutoSchema
from rehab.exchange.models import BulkExport
from rehab.exchange.selectors.clinic import BULK_TYPES
from rehab.exchange.services.bulk import ExportAlreadyRunning, bulk_export_cancel, bulk_export_start, bulk_storage

NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
RETRY_AFTER_SECONDS = 120

KickOffQuery = type(
    "BulkKickOffQuerySerializer",
    (serializers.Serializer,),
    {
        "_type": serializers.RegexField(
            r"^[A-Za-z]+(,[A-Za-z]+)*$", required=False, max_length=400,
            help_text="Comma-separated resource types, of: " + ", ".join(BULK_TYPES) + ". Default: all of them.",
        ),
        "_since": InstantField(required=False, help_text="Only resources the server received or changed after it."),
        "_outputFormat": serializers.ChoiceField(choices=OUTPUT_FORMATS, required=False),
    },
)  # fmt: skip

PREFER = OpenApiParameter(
    "Prefer", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, enum=["respond-async"],
    description="Required: the export runs asynchronously.",
)  # fmt: skip
CONTENT_LOCATION = OpenApiParameter(
    "Content-Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[202], description="The status URL."
)
X_PROGRESS = OpenApiParameter(
    "X-Progress", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[202], description="How far the job got."
)
MANIFEST = {
    "type": "object",
    "required": ["transactionTime", "request", "requiresAccessToken", "output", "error"],
    "properties": {
        "transactionTime": {"type": "string", "format": "date-time"},
        "request": {"type": "string"},
        "requiresAccessToken": {"type": "boolean", "enum": [True]},
        "output": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": {"type": "string"}, "url": {"type": "string"}, "count": {"type": "integer"}},
            },
        },
        "error": {"type": "array", "items": {"type": "object"}},
    },
}


class BulkKickOffView(FHIRViewMixin, APIView):
    schema = FHIRAutoSchema()
    permission_classes = (IsClinicAdmin,)

    @extend_schema(
        operation_id="fhir_group_export",
        summary="Start a FHIR Bulk Data export of the clinic (the clinic as a Group)",
        description=(
            "Clinic admin of that clinic only; another clinic is a 404. 202 with `Content-Location` (the status "
            "URL); 429 with Retry-After while an export of the clinic is in progress. docs/fhir.md, Bulk Data."
        ),
        parameters=[PREFER, KickOffQuery, CONTENT_LOCATION],
        responses={
            (202, FHIR_JSON): OPERATION_OUTCOME,
            (202, JSON): OPERATION_OUTCOME,
        },
    )
    def get(self, request, clinic_id: int):
        if clinic_id != request.user.clinic_id:
            raise NotFound()
        query = KickOffQuery(data=query_data(request))
        query.is_valid(raise_exception=True)
        if request.headers.get("Prefer", "").strip() != "respond-async":
            raise ValidationError({"Prefer": ["Send `Prefer: respond-async`: the export runs asynchronously."]})
        types = _types(query.validated_data.get("_type"))
        try:
            export = bulk_export_start(
                clinic=request.user.clinic, by=request.user, types=types, since=query.validated_data.get("_since"),
                request_url=request.build_absolute_uri(), base_url=fhir_base(request),
                ip_address=client_address(request),
            )  # fmt: skip
        except ExportAlreadyRunning:
            raise Throttled(wait=RETRY_AFTER_SECONDS, detail="An export of this clinic is in progress.") from None
        response = Response(
            operation_outcome_information("The export has started; poll the Content-Location URL."),
            status=status.HTTP_202_ACCEPTED,
        )
        response["Content-Location"] = _status_url(request, export)
        return response


def _types(asked: str | None) -> list[str]:
    if not asked:
        return list(BULK_TYPES)
    names = asked.split(",")
    unknown = sorted(set(names) - set(BULK_TYPES))
    if unknown:
        raise ValidationError({"_type": [f"Not exported here: {', '.join(unknown)}."]})
    return [t for t in BULK_TYPES if t in names]


def operation_outcome_information(text: str) -> dict:
    outcome = operation_outcome(200, text)
    outcome["issue"][0].update(severity="information", code="informational")
    return outcome


def _status_url(request, export: BulkExport) -> str:
    return f"{fhir_base(request)}/bulk-status/{export.pk}"


def _own_export(request, export_id) -> BulkExport:
    """The caller's own export, not cancelled: anything else is a 404 (never a 403 that confirms it)."""
    visible = BulkExport.objects.filter(requested_by=request.user, clinic_id=request.user.clinic_id).exclude(
        status=BulkExport.Status.CANCELLED
    )
    return get_object_or_404(visible, pk=export_id)


class BulkStatusView(FHIRViewMixin, APIView):
    schema = FHIRAutoSchema()
    permission_classes = (IsClinicAdmin,)

    @extend_schema(
        operation_id="fhir_bulk_status",
        summary="An export's status: 202 with X-Progress while it runs, 200 with the manifest when done",
        description="500 (an OperationOutcome) when the job failed: start a new export.",
        parameters=[X_PROGRESS],
        responses={
            (200, FHIR_JSON): MANIFEST,
            (200, JSON): MANIFEST,
            (202, FHIR_JSON): OPERATION_OUTCOME,
            (202, JSON): OPERATION_OUTCOME,
            (500, FHIR_JSON): OPERATION_OUTCOME,
            (500, JSON): OPERATION_OUTCOME,
        },
    )
    def get(self, request, export_id):
        export = _own_export(request, export_id)
        if export.status == BulkExport.Status.IN_PROGRESS:
            progress = export.progress or "queued"
            response = Response(operation_outcome_information(progress), status=status.HTTP_202_ACCEPTED)
            response["X-Progress"] = progress
            response["Retry-After"] = "5"
            return response
        if export.status == BulkExport.Status.FAILED:
            return Response(operation_outcome(500, "The export failed; start a new one."), status=500)
        return Response(_manifest(request, export))

    @extend_schema(
        operation_id="fhir_bulk_cancel",
        summary="Cancel an export and remove its files",
        responses={(202, FHIR_JSON): OPERATION_OUTCOME, (202, JSON): OPERATION_OUTCOME},
    )
    def delete(self, request, export_id):
        bulk_export_cancel(export=_own_export(request, export_id))
        return Response(operation_outcome_information("Cancelled; its files are removed."), status=202)


def _manifest(request, export: BulkExport) -> dict:
    return {
        "transactionTime": export.requested_at.isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": item["type"], "url": _file_url(request, export, item["type"]), "count": item["count"]}
            for item in export.output
        ],
        "error": [],
    }


def _file_url(request, export: BulkExport, resource_type: str) -> str:
    path = reverse("fhir-bulk-file", kwargs={"export_id": export.pk, "resource_type": resource_type})
    return request.build_absolute_uri(path)


class NDJSONRenderer(FHIRJSONRenderer):
    """Accepts `Accept: application/fhir+ndjson`; the file itself is streamed, not rendered."""

    media_type = NDJSON
    format = "ndjson"


class BulkFileView(FHIRViewMixin, APIView):
    schema = FHIRAutoSchema()
    permission_classes = (IsClinicAdmin,)
    renderer_classes = (*FHIRViewMixin.renderer_classes, NDJSONRenderer)

    @extend_schema(
        operation_id="fhir_bulk_file",
        summary="One NDJSON file of a finished export (one resource per line)",
        responses={(200, NDJSON): OpenApiResponse(OpenApiTypes.STR, description="NDJSON, one resource a line.")},
    )
    def get(self, request, export_id, resource_type: str):
        export = _own_export(request, export_id)
        item = next((i for i in export.output if i["type"] == resource_type), None)
        if export.status != BulkExport.Status.COMPLETED or item is None:
            raise NotFound()
        # A whole clinic's records leave here: the audit log keeps who took which file, and when.
        audit_record(
            actor=request.user,
            action="read",
            resource=request.get_full_path(),
            patient_ids=(),
            ip_address=client_address(request),
        )
        response = FileResponse(bulk_storage().open(item["name"], "rb"), content_type=NDJSON)
        response["Cache-Control"] = "no-store"
        return response
