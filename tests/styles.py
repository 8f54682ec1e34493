"""An envelope style the app does not ship: Google's AIP-193 error shape.

It lives only here, to prove a project can add a style without touching the package.
"""

from __future__ import annotations

from api_errors.styles import EnvelopeField, Style
from api_errors.styles.base import CORRELATION_KEY, DEBUG_KEY, ERRORS_KEY

BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
REQUEST_INFO = "type.googleapis.com/google.rpc.RequestInfo"
DEBUG_INFO = "type.googleapis.com/google.rpc.DebugInfo"


class GoogleStyle(Style):
    """``{"error": {"code": 404, "status": "NOT_FOUND", "message": ..., "details": [...]}}``."""

    name = "google"
    code_field = "error.status"
    message_field = "error.message"
    code_types = (str,)
    default_catalog = "drive"
    fallback_body = {
        "error": {
            "code": 500,
            "status": "INTERNAL_ERROR",
            "message": "Unexpected server-side error",
            "details": [],
        }
    }

    def error_body(self, error, context):
        return {
            "error": {
                "code": error.http_status,
                "status": error.code,
                "message": str(error.client_message),
                "details": [],
            }
        }

    def render(self, error, context):
        """The optional values go into ``details``, each as the google.rpc type it is."""
        body = self.error_body(error, context)
        details = body["error"]["details"]
        optional = self.optional_values(error, context)
        if ERRORS_KEY in optional:
            violations = [
                {"field": item["field"], "description": item["message"], "reason": item["code"]}
                for item in optional[ERRORS_KEY]
            ]
            details.append({"@type": BAD_REQUEST, "fieldViolations": violations})
        if CORRELATION_KEY in optional:
            details.append({"@type": REQUEST_INFO, "requestId": optional[CORRELATION_KEY]})
        if DEBUG_KEY in optional:
            details.append({"@type": DEBUG_INFO, "detail": optional[DEBUG_KEY]["message"]})
        return body

    def error_properties(self, status, code_schema):
        return {
            "error": {
                "type": "object",
                "required": ["code", "status", "message", "details"],
                "properties": {
                    "code": {"type": "integer", "enum": [status]},
                    "status": code_schema,
                    "message": {"type": "string"},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["@type"],
                            "properties": {"@type": {"type": "string"}},
                        },
                    },
                },
                "additionalProperties": False,
            }
        }

    def error_schema(self, status, code_schema):
        properties = self.error_properties(status, code_schema)
        return {
            "type": "object",
            "required": list(properties),
            "properties": properties,
            "additionalProperties": False,
        }

    def format_intro(self):
        return (
            "Errors follow Google's AIP-193: an `error` object whose `status` identifies the "
            "specific error for programmatic handling:"
        )

    def own_fields(self):
        return [
            EnvelopeField("error.code", "The HTTP status code, repeated."),
            EnvelopeField("error.status", self.code_description()),
            EnvelopeField("error.message", self.message_description()),
        ]

    def fields(self):
        return (
            *self.own_fields(),
            EnvelopeField(
                "error.details",
                "Field violations of a validation error, and the request's id when enabled.",
            ),
        )


class NotAStyle:
    """Named in a test of api_errors.E003."""
