"""The ``status`` style of the platform document: numeric codes, ``status: false``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from api_errors.catalog.types import ResolvedError
from api_errors.styles.base import EnvelopeField, Practice, RenderContext, Style


class StatusStyle(Style):
    """``{"status": false, "error_code": 68300004, "error_message": "Invalid parameter!"}``."""

    name = "status"
    code_field = "error_code"
    message_field = "error_message"
    code_types = (int,)
    default_catalog = "platform"
    format_first = True

    fallback_body = {
        "status": False,
        "error_code": 68300008,
        "error_message": "Service error, please try again later!",
    }

    def error_body(self, error: ResolvedError, context: RenderContext) -> dict[str, Any]:
        return {
            "status": False,
            "error_code": error.code,
            "error_message": str(error.client_message),
        }

    def success_body(self, data: Any) -> Any:
        return {"status": True, "error_code": 0, "data": data}

    def error_properties(self, status: int, code_schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "status": {"type": "boolean", "enum": [False]},
            "error_code": code_schema,
            "error_message": {"type": "string"},
        }

    def success_schema(self, data_schema: dict[str, Any]) -> dict[str, Any]:
        head = {
            "status": {"type": "boolean", "enum": [True]},
            "error_code": {"type": "integer", "enum": [0]},
        }
        return self.wrapper_schema(head, data_schema)

    def format_intro(self) -> str:
        return _(
            "When an error occurs, the API returns a response with `status: false` "
            "and a non-zero `error_code`:"
        )

    def own_fields(self) -> list[EnvelopeField]:
        return [
            EnvelopeField("status", self.outcome_description()),
            EnvelopeField("error_code", self.code_description()),
            EnvelopeField("error_message", self.message_description()),
        ]

    def practices(
        self, *, retry: Practice, logging: Practice, friendly: Practice
    ) -> tuple[Practice, ...]:
        """The platform document's practices: the status field first, logging without a
        sample."""
        return (
            Practice(
                title=_("Check Status Field First"),
                text=_(
                    "Always check the `status` field before processing response data. "
                    "Only access `data` when `status` is true."
                ),
            ),
            retry,
            Practice(
                title=_("Log Error Details"),
                text=_(
                    "Log both `error_code` and `error_message` for debugging, with the "
                    "`%(header)s` response header."
                )
                % {"header": self.conf.CORRELATION_ID_HEADER},
            ),
            friendly,
        )
