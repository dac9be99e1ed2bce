"""Two rules for every answer, kept here so that views, pages and exports added later follow them too."""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from config.api.errors import PayloadTooLarge, handler400, handler404, handler500, is_api_path, json_error

# Errors Django renders itself, as the contract names them (config.api.errors answers DRF's own).
_API_ERRORS = {
    403: ("permission_denied", "You do not have permission to perform this action."),
    405: ("method_not_allowed", "Method not allowed."),
}


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer Django renders.

    They carry a patient's data, a clinic's, or tokens (a sign-in or an activation, answered to a
    request that was not yet authenticated), and a browser's or a proxy's cache keeps them on disk.
    Static files never get here: WhiteNoise, above this middleware, answers them with their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


class ApiErrorsMiddleware:
    """An error on an /api/ path answers the contract's JSON shape, whoever rendered it.

    config.urls' handlers answer Django's own errors in that shape, but only with DEBUG off: with DEBUG
    on (`make run`) Django answers an unknown URL, a crash or a refused Host with its HTML debug pages.
    (/api/ has no CSRF check: it keeps no session, config.browser.) Outermost, so it sees every answer; the answer keeps
    the headers the others set (CORS, Cache-Control, Allow).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request) or _is_json(response) or response.streaming:
            return response
        answer = _api_error(request, response.status_code)
        for name, value in response.items():
            if name.lower() not in ("content-type", "content-length"):
                answer[name] = value
        return answer


def _is_json(response: HttpResponse) -> bool:
    # FHIR paths answer their errors as OperationOutcome resources (the contract's FHIR section).
    return response.get("Content-Type", "").startswith(("application/json", "application/fhir+json"))


def _api_error(request: HttpRequest, status: int) -> HttpResponse:
    if status == 404:
        return handler404(request)
    if status == 400:
        return handler400(request)
    if status == 413:
        return json_error(PayloadTooLarge.default_code, str(PayloadTooLarge().detail), 413)
    if status in _API_ERRORS:
        code, message = _API_ERRORS[status]
        return json_error(code, message, status)
    if status >= 500:
        answer = handler500(request)
        answer.status_code = status
        return answer
    return json_error("bad_request", "Bad request.", status)
