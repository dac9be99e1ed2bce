"""The schema of throttled operations: their 429 `throttled`, with Retry-After.

Apart from config.api.throttling, which DRF imports while its views module loads (the throttles
are REST_FRAMEWORK defaults) and so must not import the schema machinery, which imports DRF's views.
"""

from config.api.schema import ErrorAwareAutoSchema, error_responses

RETRY_AFTER_HEADER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}


class ThrottleAwareAutoSchema(ErrorAwareAutoSchema):
    """REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]: an operation with throttles documents their 429 and Retry-After."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None or not self.view.get_throttles() or "429" in operation["responses"]:
            return operation
        response = self._get_response_for_code(error_responses(429)[429], "429")
        operation["responses"]["429"] = {"headers": RETRY_AFTER_HEADER, **response}
        return operation
