"""AXES_LOCKOUT_CALLABLE: a locked-out sign-in answers a page on the web and the API's JSON error on /api/."""

import math
from datetime import timedelta

from django.shortcuts import render

from config import clock
from config.api.errors import axes_lockout_response, is_api_path, retry_after


def lockout_response(request, original_response=None, credentials=None):
    if is_api_path(request):
        return axes_lockout_response(request, original_response, credentials)
    seconds = retry_after(request)
    response = render(
        request,
        "dashboard/auth/locked_out.html",
        {"retry_minutes": math.ceil(seconds / 60), "retry_at": clock.now() + timedelta(seconds=seconds)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
