"""The ``success`` style of the drive document: string codes, ``success: false``."""

from __future__ import annotations

from typing import Any

from api_errors.catalog.types import ResolvedError
from api_errors.styles.base import EnvelopeField, RenderContext, Style


class SuccessStyle(Style):
    """``{"success": false, "message": "Resource not found", "error_code": "NOT_FOUND"}``."""

    name = "success"
    code_field = "error_code"
    message_field = "message"
    code_types = (str,)
    default_catalog = "drive"

    fallback_body = {
        "success": False,
        "message": "Unexpected server-side error",
        "error_code": "INTERNAL_ERROR",
    }

    def error_body(self, error: ResolvedError, context: RenderContext) -> dict[str, Any]:
        return {"success": False, "message": str(error.client_message), "error_code": error.code}

    def success_body(self, data: Any) -> Any:
        return {"success": True, "data": data}

    def error_properties(self, status: int, code_schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "success": {"type": "boolean", "enum": [False]},
            "message": {"type": "string"},
            "error_code": code_schema,
        }

    def success_schema(self, data_schema: dict[str, Any]) -> dict[str, Any]:
        head = {"success": {"type": "boolean", "enum": [True]}}
        return self.wrapper_schema(head, data_schema)

    def own_fields(self) -> list[EnvelopeField]:
        return [
            EnvelopeField("success", self.outcome_description()),
            EnvelopeField("message", self.message_description()),
            EnvelopeField("error_code", self.code_description()),
        ]
