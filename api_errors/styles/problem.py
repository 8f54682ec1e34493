"""RFC 9457 problem details, with the catalog code in ``code``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from api_errors.catalog.types import FieldError, Location, ResolvedError
from api_errors.http_values import status_phrase
from api_errors.locations import located_field_errors
from api_errors.styles.base import (
    FIELD_ERROR_SCHEMA,
    PROBLEM_JSON,
    EnvelopeField,
    RenderContext,
    Style,
)
from api_errors.validation import sample_field_errors

# RFC 9457 section 3's validation items add a JSON Pointer to the member at fault, in the
# URI fragment form of its example ("#/age"), and where in the request it was sent.
POINTER_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "uri-reference",
    "pattern": "^#(/[^/]*)*$",
    "description": "A JSON Pointer (RFC 6901) to the member at fault, as a URI fragment.",
}
LOCATION_SCHEMA: dict[str, Any] = {
    "type": "string",
    "enum": list(Location.ALL),
    "description": "Where the member was sent: the body, the query string, the URL path or "
    "a header.",
}


class ProblemStyle(Style):
    """``application/problem+json``; successful bodies are not wrapped."""

    name = "problem"
    media_type = PROBLEM_JSON
    code_field = "code"
    message_field = "detail"
    code_types = (int, str)
    default_catalog = "drive"
    message_follows_language = False

    fallback_body = {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Unexpected server-side error",
        "code": "INTERNAL_ERROR",
    }

    def error_body(self, error: ResolvedError, context: RenderContext) -> dict[str, Any]:
        """With no type URI configured, ``about:blank`` and the status phrase as title."""
        template = self.conf.PROBLEM_TYPE_URI
        if template:
            problem_type = template.format(code=error.code)
            title = str(error.entry.message)
        else:
            problem_type = "about:blank"
            title = status_phrase(error.http_status) or "Error"
        return {
            "type": problem_type,
            "title": title,
            "status": error.http_status,
            "detail": str(error.client_message),
            "instance": context.path,
            "code": error.code,
        }

    def field_errors(self, error: ResolvedError, context: RenderContext) -> list[FieldError]:
        """Each item with its ``pointer`` and ``location`` (RFC 9457 section 3)."""
        return located_field_errors(
            error.errors or [], error.exception, context.request, self.conf.FIELD_NAME_CASE
        )

    @classmethod
    def fallback(cls, path: str) -> dict[str, Any]:
        """With ``instance``, which the schema requires like every other member."""
        body = dict(cls.fallback_body)
        body["instance"] = path
        return {key: body[key] for key in ("type", "title", "status", "detail", "instance", "code")}

    def error_properties(self, status: int, code_schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "enum": [status]},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "code": code_schema,
        }

    def field_error_schema(self) -> dict[str, Any]:
        """With ``pointer`` and ``location``, and the examples' item as it is rendered."""
        [sample] = located_field_errors(
            sample_field_errors(), None, None, self.conf.FIELD_NAME_CASE
        )
        return {
            **FIELD_ERROR_SCHEMA,
            "required": [*FIELD_ERROR_SCHEMA["required"], "pointer", "location"],
            "properties": {
                **FIELD_ERROR_SCHEMA["properties"],
                "pointer": {**POINTER_SCHEMA, "example": sample["pointer"]},
                "location": {**LOCATION_SCHEMA, "example": sample["location"]},
            },
            "example": sample,
        }

    def errors_description(self) -> str:
        return _(
            "Only on validation errors: a list of `{field, code, message, pointer, location}` "
            "objects, one per problem. `pointer` is a JSON Pointer to the member at fault, as "
            "a URI fragment (`#/items/1/name`); `location` says where that member was sent: "
            "`body`, `query`, `path` or `header`."
        )

    def format_intro(self) -> str:
        return _(
            "When a request fails, the API returns an RFC 9457 problem details body "
            "(`Content-Type: application/problem+json`) alongside the HTTP status code. "
            "The `code` field identifies the specific error for programmatic handling:"
        )

    def own_fields(self) -> list[EnvelopeField]:
        if self.conf.PROBLEM_TYPE_URI:
            type_text = _("A URI identifying the error: `%(template)s`.") % {
                "template": self.conf.PROBLEM_TYPE_URI
            }
            title_text = _("The error's catalog message.")
        else:
            type_text = _("`about:blank`: the `code` field identifies the error.")
            title_text = _("The HTTP status phrase.")
        return [
            EnvelopeField("type", type_text),
            EnvelopeField("title", title_text),
            EnvelopeField("status", _("The HTTP status code, repeated.")),
            EnvelopeField("detail", self.message_description()),
            EnvelopeField("instance", _("The path of the request that failed.")),
            EnvelopeField("code", self.code_description()),
        ]
