"""OpenAPI schema: every operation documents the errors it can answer.

`ErrorAwareAutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds the
error responses a view can produce from how it is built: 400 when it takes a
body or query parameters, 413 and 415 with a body, 401 when it needs a sign-in, 403
when a role permission guards it, 404 when its path has parameters. Anything
else a view can answer (409, 429, or 404 on a path without parameters) is
declared with `error_responses(...)` in `extend_schema(responses=...)`.
"""

import copy
import inspect

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, IsAuthenticated

from config.api.serializers import ErrorResponseSerializer, StrictSerializerMixin

ERROR_DESCRIPTIONS = {
    400: "Invalid input (`validation_error`): `fields` names each bad field.",
    401: "Missing, expired or invalid credentials (`not_authenticated`).",
    403: "Signed in, but this role may not do this (`permission_denied`).",
    404: "No such object, or not yours (`not_found`).",
    405: "Method not allowed (`method_not_allowed`).",
    409: "Conflicts with what is stored (`conflict`).",
    413: "Body larger than the server reads (`payload_too_large`); send smaller batches.",
    415: "Body is not JSON (`unsupported_media_type`).",
    429: "Too many requests (`throttled`, or `locked_out` after failed sign-ins); see Retry-After.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses={200: Out, **error_responses(404, 409)})`."""
    return {
        s: OpenApiResponse(ErrorResponseSerializer, description=ERROR_DESCRIPTIONS.get(s, "Error.")) for s in statuses
    }


_PLAIN_PERMISSIONS = (AllowAny, IsAuthenticated)


class ErrorAwareAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for status in self._implied_error_statuses(operation):
            key = str(status)
            if key not in operation["responses"]:
                operation["responses"][key] = self._get_response_for_code(error_responses(status)[status], key)
        return operation

    def _implied_error_statuses(self, operation: dict) -> list[int]:
        statuses = []
        has_body = "requestBody" in operation
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if has_body or has_query:
            statuses.append(400)
        permissions = self.view.get_permissions()
        if self.view.get_authenticators() and not all(isinstance(p, AllowAny) for p in permissions):
            statuses.append(401)
        if any(not isinstance(p, _PLAIN_PERMISSIONS) for p in permissions):
            statuses.append(403)
        if "{" in self.path:
            statuses.append(404)
        if has_body:
            statuses += [413, 415]
        return statuses


class StrictSerializerExtension(OpenApiSerializerExtension):
    """Request bodies of strict serializers refuse unknown fields; the schema says so."""

    target_class = "config.api.serializers.StrictSerializerMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if schema.get("description") == inspect.getdoc(StrictSerializerMixin):
            del schema["description"]  # inherited from the mixin: says nothing about this body
        if direction != "request":
            return schema
        schema["additionalProperties"] = False
        variants = getattr(self.target, "schema_variants", None)
        return {"oneOf": [_variant(schema, v) for v in variants]} if variants else schema


def _variant(base: dict, change: dict) -> dict:
    """One shape of a body whose fields depend on each other (`schema_variants` on a strict serializer).

    `change` is {"properties": {name: schema, or None to drop it}, "required": [names]}.
    """
    variant = copy.deepcopy(base)
    for name, field_schema in change.get("properties", {}).items():
        if field_schema is None:
            variant["properties"].pop(name, None)
            variant["required"] = [r for r in variant.get("required", []) if r != name]
        else:
            # Wrapped, so the enum post-processing hook (which names enums per component and
            # field, one per name) cannot merge the variants' different value lists into one.
            variant["properties"][name] = {"allOf": [field_schema]}
    variant["required"] = sorted({*variant.get("required", []), *change.get("required", [])})
    return variant


def blank_strings_any_of(result, generator, request, public):
    """POSTPROCESSING_HOOKS: a blank-allowed string with a pattern or format says `anyOf`, not `oneOf`.

    drf-spectacular writes it as oneOf [the constrained string, {"maxLength": 0}]; an empty string
    matches both, which oneOf forbids, so every stored blank note would violate the response schema.
    """
    blank = {"type": "string", "maxLength": 0}

    def walk(node):
        if isinstance(node, dict):
            options = node.get("oneOf")
            if isinstance(options, list) and len(options) == 2 and blank in options:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
