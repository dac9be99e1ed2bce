"""One error shape for the whole API.

Every error answers `{"error": {"code", "message", "fields": {field: [messages]}}}`,
whether a service refused the request (config.errors' kinds, translated here so
no view catches them), DRF raised it (validation, authentication, permissions,
throttling), Django raised it before DRF was reached (an unknown /api/ URL, a
crash), or django-axes locked a sign-in out. Phones and the dashboard branch on `code`.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config import errors as domain

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with what is already stored."
    default_code = "conflict"


class LockedOut(exceptions.APIException):
    """Too many failed sign-ins for one username from one address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed sign-in attempts. Try again later."
    default_code = "locked_out"

    def __init__(self, retry_after: int, detail: str | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


class PayloadTooLarge(exceptions.APIException):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to read it)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self):
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
        super().__init__(f"The body is larger than {mb:g} MB; send it in smaller batches.")


# DRF exception class -> (our code, HTTP status). Subclasses match their parent.
_CODES: list[tuple[type[Exception], str]] = [
    (LockedOut, "locked_out"),
    (Conflict, "conflict"),
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "validation_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (PayloadTooLarge, "payload_too_large"),
]

# Every code an error may carry: the schema lists them (config.api.serializers.ErrorDetailSerializer).
ERROR_CODES = (
    "validation_error",
    "not_authenticated",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "conflict",
    "locked_out",
    "throttled",
    "payload_too_large",
    "bad_request",
    "server_error",
)


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def safe_text(text) -> str:
    """Text that can be rendered as UTF-8: error messages may echo a lone surrogate the client sent."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"dotted.field": [messages]}.

    `{"exercises": {0: {"sets": ["..."]}}}` becomes `{"exercises.0.sets": ["..."]}`;
    errors that belong to no field sit under `non_field_errors`.
    """
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{safe_text(key)}" if prefix else safe_text(key)
            for k, v in flatten_errors(value, name).items():
                fields.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [safe_text(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item in ({}, []):
                    continue  # a valid sibling in a list of objects
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten_errors(item, name).items():
                    fields.setdefault(k, []).extend(v)
    else:
        fields[prefix or "non_field_errors"] = [safe_text(detail)]
    return fields


def _code_for(exc: Exception) -> str:
    for cls, code in _CODES:
        if isinstance(exc, cls):
            return code
    return getattr(exc, "default_code", "error")


def _from_domain(exc: domain.DomainError) -> exceptions.APIException:
    """A service's refusal as the API answers it (config.errors says which kind is which)."""
    if isinstance(exc, domain.FieldErrors):
        return exceptions.ValidationError(exc.errors)
    if isinstance(exc, domain.Conflict):
        return Conflict(str(exc))
    if isinstance(exc, domain.NotAllowed):
        return exceptions.PermissionDenied(str(exc))
    raise TypeError(f"{type(exc).__name__} is a DomainError of no known kind") from exc


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's handling, in our shape."""
    if isinstance(exc, domain.DomainError):
        exc = _from_domain(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, RecursionError):
        # config.api.parsers bounds a body's nesting before parsing it; input that still nests deep
        # enough to exhaust the stack (in a parser of another kind, say) is the client's, not a crash.
        logger.warning("Input nested too deeply to handle", exc_info=exc)
        exc = exceptions.ParseError("The body is nested too deeply to read.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 answers (JSON for /api/)
    code = _code_for(exc)
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        message = _validation_message(fields)
    else:
        fields = {}
        message = _message_of(exc.detail)
    if isinstance(exc, LockedOut):
        response["Retry-After"] = str(exc.retry_after)
    response.data = error_body(code, message, fields)
    return response


def _message_of(detail) -> str:
    """The people's message of a non-validation error; simplejwt's token errors nest it under "detail"."""
    if isinstance(detail, dict) and not isinstance(detail.get("detail"), dict | list | type(None)):
        return safe_text(detail["detail"])
    return safe_text(detail) if not isinstance(detail, dict | list) else "Request refused."


def _validation_message(fields: dict[str, list[str]]) -> str:
    if list(fields) == ["non_field_errors"]:
        return fields["non_field_errors"][0]
    return "The request is not valid: " + ", ".join(sorted(fields)) + "." if fields else "The request is not valid."


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error(code: str, message: str, status_code: int, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def handler400(request: HttpRequest, exception: Exception | None = None):
    """A request Django refused before DRF read it (an unknown Host, a body too large to read)."""
    if is_api_path(request):
        if isinstance(exception, RequestDataTooBig):
            return json_error(PayloadTooLarge.default_code, str(PayloadTooLarge().detail), 413)
        return json_error("bad_request", "Bad request.", 400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None):
    if is_api_path(request):
        return json_error("not_found", "Not found.", 404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest):
    if is_api_path(request):
        return json_error("server_error", "Something went wrong on our side; it has been logged.", 500)
    from django.views.defaults import server_error

    return server_error(request)


def axes_lockout_response(request, original_response=None, credentials=None) -> JsonResponse:
    """AXES_LOCKOUT_CALLABLE: a lock-out in our error shape, with Retry-After."""
    return json_error(LockedOut.default_code, str(LockedOut.default_detail), 429, Retry_After=str(retry_after(request)))


def retry_after(request=None) -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600
