"""How FHIR paths speak HTTP (the contract's FHIR section): `application/fhir+json` (and
`application/json`), and errors as an OperationOutcome with the status the API would answer anyway.

The error is decided exactly as everywhere else (config.api.errors), then said in FHIR's words, so
a FHIR path can never answer a status the clinician API would not.
"""

from django.conf import settings
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from config.api.errors import exception_handler

FHIR_JSON = "application/fhir+json"
FHIR_PATH = "/api/v1/fhir"
JSON = "application/json"

# The FHIR issue-type codes (http://hl7.org/fhir/issue-type) of our error statuses.
ISSUE_TYPE_OF_STATUS = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    413: "too-costly",
    415: "not-supported",
    429: "throttled",
}


def fhir_base(request) -> str:
    """This server's FHIR base: FHIR_BASE_URL when set (canonical URLs must not follow the Host a
    client sent), else the request's own scheme and host."""
    return (getattr(settings, "FHIR_BASE_URL", "") or request.build_absolute_uri(FHIR_PATH)).rstrip("/")


class FHIRJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class _WithoutFormatOverride:
    """DRF's settings, less the `?format=` override: on these paths `format` is the export's own
    parameter, and FHIR's is `_format`; a client chooses the media type with Accept."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class AcceptNegotiation(DefaultContentNegotiation):
    settings = _WithoutFormatOverride()


def operation_outcome(status: int, diagnostics: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error" if status < 500 else "fatal",
                "code": ISSUE_TYPE_OF_STATUS.get(status, "exception"),
                "diagnostics": diagnostics,
            }
        ],
    }


def fhir_exception_handler(exc, context):
    """The API's answer to the error, its body said as an OperationOutcome (headers kept: Retry-After...)."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    error = response.data["error"]
    diagnostics = error["message"]
    if error["fields"]:
        diagnostics += " " + "; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(error["fields"].items()))
    response.data = operation_outcome(response.status_code, diagnostics)
    return response


class FHIRViewMixin:
    """What every view under /api/v1/fhir/ shares."""

    renderer_classes = (FHIRJSONRenderer, JSONRenderer)
    content_negotiation_class = AcceptNegotiation

    def get_exception_handler(self):
        return fhir_exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        # An OperationOutcome is JSON, whatever else the request accepted (a file's NDJSON).
        if response.status_code >= 400 and getattr(request, "accepted_media_type", None) not in (FHIR_JSON, JSON):
            request.accepted_renderer, request.accepted_media_type = FHIRJSONRenderer(), FHIR_JSON
        return super().finalize_response(request, response, *args, **kwargs)
