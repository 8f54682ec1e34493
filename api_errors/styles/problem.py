"""RFC 9457 problem details, with the catalog code in ``code``.

A limit's refusal takes the problem type of the IETF ratelimit-headers draft (section 5),
with its ``violated-policies`` member naming the limits (``LIMIT_PROBLEM_TYPES``).
"""

from __future__ import annotations

from collections.abc import Sequence
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

# draft-ietf-httpapi-ratelimit-headers, sections 5.1, 5.2 and 10.2: the type URIs, their
# registered titles, and the member naming the limits.
QUOTA_EXCEEDED_TYPE = "https://iana.org/assignments/http-problem-types#quota-exceeded"
TEMPORARY_REDUCED_CAPACITY_TYPE = (
    "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity"
)
LIMIT_TYPES: dict[bool, tuple[str, str]] = {
    # By whether the answer is a server error: a refusal, or the limits' store being down.
    False: (QUOTA_EXCEEDED_TYPE, "Quota Exceeded"),
    True: (TEMPORARY_REDUCED_CAPACITY_TYPE, "Temporary Reduced Capacity"),
}
VIOLATED_POLICIES = "violated-policies"


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
        """With no type URI configured, ``about:blank`` and the status phrase as title; a
        limit's refusal has the draft's type and names the limits."""
        shows_limits = self.shows_limits(error)
        if shows_limits:
            problem_type, title = LIMIT_TYPES[error.is_server_error]
        elif self.conf.PROBLEM_TYPE_URI:
            problem_type = self.conf.PROBLEM_TYPE_URI.format(code=error.code)
            title = str(error.entry.message)
        else:
            problem_type = "about:blank"
            title = status_phrase(error.http_status) or "Error"
        body = {
            "type": problem_type,
            "title": title,
            "status": error.http_status,
            "detail": str(error.client_message),
            "instance": context.path,
            "code": error.code,
        }
        if shows_limits:
            body[VIOLATED_POLICIES] = list(error.violated_policies)
        return body

    def shows_limits(self, error: ResolvedError) -> bool:
        """Whether ``error`` is a limit's, rendered in the draft's problem types."""
        return bool(error.violated_policies) and self.conf.LIMIT_PROBLEM_TYPES

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

    def refusal_schema(
        self, status: int, code_schema: dict[str, Any], policies: Sequence[str]
    ) -> dict[str, Any]:
        """``type`` is one of the draft's, or what other errors at ``status`` have, and
        ``violated-policies`` names one of ``policies`` when present."""
        schema = self.error_schema(status, code_schema)
        if not self.conf.LIMIT_PROBLEM_TYPES:
            return schema
        limit_type = LIMIT_TYPES[status >= 500][0]
        template = self.conf.PROBLEM_TYPE_URI
        codes = code_schema.get("enum", [])
        others = [template.format(code=code) for code in codes] if template else ["about:blank"]
        described = (
            "The limit whose counters could not be read, as RateLimit-Policy names it."
            if status >= 500
            else "The limits that refused the request, as RateLimit-Policy names them."
        )
        properties = {
            **schema["properties"],
            "type": {"type": "string", "enum": list(dict.fromkeys([limit_type, *others]))},
            VIOLATED_POLICIES: {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "enum": list(dict.fromkeys(policies))},
                "description": described,
            },
        }
        return {**schema, "properties": properties}

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
        fields = [
            EnvelopeField("type", type_text),
            EnvelopeField("title", title_text),
            EnvelopeField("status", _("The HTTP status code, repeated.")),
            EnvelopeField("detail", self.message_description()),
            EnvelopeField("instance", _("The path of the request that failed.")),
            EnvelopeField("code", self.code_description()),
        ]
        if self.conf.LIMIT_PROBLEM_TYPES:
            fields[0] = EnvelopeField(
                "type",
                type_text
                + " "
                + _(
                    "A request refused by a rate limit, quota or concurrency limit has "
                    "`%(refused)s` (title `Quota Exceeded`); one refused because the limits' "
                    "counters could not be read has `%(unavailable)s` (title `Temporary "
                    "Reduced Capacity`)."
                )
                % {"refused": QUOTA_EXCEEDED_TYPE, "unavailable": TEMPORARY_REDUCED_CAPACITY_TYPE},
            )
            fields.append(
                EnvelopeField(
                    VIOLATED_POLICIES,
                    _(
                        "Only with those two types: the names of the limits concerned, as "
                        "`RateLimit-Policy` names them."
                    ),
                )
            )
        return fields
