"""What an envelope style is: one object that knows its body, media type, fallback, schemas
and the prose the "Error Handling" page uses for it.

Nothing outside ``api_errors.styles`` asks which style is active: it asks the active
``Style`` (``api_errors.active.get_style()``). A project adds its own by subclassing
``Style`` and naming the subclass in ``API_ERRORS["STYLE"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import HttpRequest
from django.utils.translation import gettext as _

from api_errors.catalog.types import Code, FieldError, ResolvedError
from api_errors.conf import APIErrorsSettings
from api_errors.field_paths import in_field_case

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"

# The optional keys every style may add: field errors, the correlation id, 5xx details.
ERRORS_KEY = "errors"
CORRELATION_KEY = "correlation_id"
DEBUG_KEY = "debug"

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["field", "code", "message"],
    "properties": {
        "field": {"type": "string"},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
}


@dataclass(frozen=True)
class RenderContext:
    """What a style may need beyond the error itself."""

    path: str
    correlation_id: str | None
    conf: APIErrorsSettings
    # The request that failed; None for the schema's and the page's examples.
    request: HttpRequest | None = None


@dataclass(frozen=True)
class EnvelopeField:
    """One field of the error body, as the "Error Handling" page explains it."""

    name: str
    description: str


@dataclass(frozen=True)
class Practice:
    """One best practice of the "Error Handling" page."""

    title: str
    text: str
    points: tuple[str, ...] = ()
    sample: str = ""


class Style:
    """Everything one envelope style knows. Subclasses set the class attributes and
    implement ``error_body``, ``error_properties`` and ``own_fields``."""

    name: ClassVar[str] = ""
    media_type: ClassVar[str] = JSON
    # Where the body keeps the code and the message; a dotted path for nested bodies.
    code_field: ClassVar[str] = "error_code"
    message_field: ClassVar[str] = "message"
    # The code types the style can send (checked against the catalog by api_errors.E007).
    code_types: ClassVar[tuple[type, ...]] = (int, str)
    # The preset used when API_ERRORS["CATALOG"] is not set.
    default_catalog: ClassVar[str] = "drive"
    # The "Error Handling" page: format before statuses (the platform document's order).
    format_first: ClassVar[bool] = False
    # Whether the page tells clients that the message follows Accept-Language.
    message_follows_language: ClassVar[bool] = True
    # The 500 body sent when rendering itself failed: a constant, so it cannot fail too.
    fallback_body: ClassVar[dict[str, Any]]

    def __init__(self, conf: APIErrorsSettings) -> None:
        self.conf = conf

    # --- responses ----------------------------------------------------------------------

    def error_body(self, error: ResolvedError, context: RenderContext) -> dict[str, Any]:
        """The style's own fields for ``error``."""
        raise NotImplementedError

    def render(self, error: ResolvedError, context: RenderContext) -> dict[str, Any]:
        """The whole error body: the style's fields plus the documented optional keys."""
        body = self.error_body(error, context)
        for key, value in self.optional_values(error, context).items():
            body[key] = value
        return body

    def optional_values(self, error: ResolvedError, context: RenderContext) -> dict[str, Any]:
        """Field errors, the correlation id and (when enabled) a 5xx's exception."""
        values: dict[str, Any] = {}
        if error.errors is not None:
            values[ERRORS_KEY] = self.field_errors(error, context)
        if self.conf.CORRELATION_ID_IN_BODY and context.correlation_id:
            values[CORRELATION_KEY] = context.correlation_id
        if error.is_server_error and error.exception and self.conf.EXPOSE_SERVER_ERROR_DETAILS:
            values[DEBUG_KEY] = {
                "exception": type(error.exception).__qualname__,
                "message": str(error.exception),
            }
        return values

    def field_errors(self, error: ResolvedError, context: RenderContext) -> list[FieldError]:
        """The ``errors`` items, their field paths in ``FIELD_NAME_CASE``. A style that places
        them elsewhere (its own ``render``) takes them from here."""
        return in_field_case(error.errors or [], self.conf.FIELD_NAME_CASE)

    @classmethod
    def fallback(cls, path: str) -> dict[str, Any]:
        """``fallback_body`` for a request to ``path`` (a style may say where it failed)."""
        return cls.fallback_body

    def success_body(self, data: Any) -> Any:
        """A successful body as ``EnvelopeJSONRenderer`` sends it."""
        return data

    @property
    def wraps_success(self) -> bool:
        """Whether ``EnvelopeJSONRenderer`` changes successful bodies: the style says how."""
        return type(self).success_body is not Style.success_body

    # --- OpenAPI ------------------------------------------------------------------------

    def error_properties(self, status: int, code_schema: dict[str, Any]) -> dict[str, Any]:
        """JSON Schema of the style's own fields, all required."""
        raise NotImplementedError

    def error_schema(self, status: int, code_schema: dict[str, Any]) -> dict[str, Any]:
        """The error body's schema, its code limited by ``code_schema``."""
        properties = self.error_properties(status, code_schema)
        optional: dict[str, Any] = {
            ERRORS_KEY: {"type": "array", "items": self.field_error_schema()},
            CORRELATION_KEY: {"type": "string"},
            DEBUG_KEY: {"type": "object"},
        }
        return {
            "type": "object",
            "required": list(properties),
            "properties": {**properties, **optional},
            "additionalProperties": False,
        }

    def refusal_schema(
        self, status: int, code_schema: dict[str, Any], policies: Sequence[str]
    ) -> dict[str, Any]:
        """The error body's schema at a ``status`` the limits named ``policies`` answer with
        (a refusal, or at 503 their store being down): ``error_schema``'s, unless the style
        shows the limits in the body."""
        return self.error_schema(status, code_schema)

    def field_error_schema(self) -> dict[str, Any]:
        """The schema of one ``errors`` item."""
        return FIELD_ERROR_SCHEMA

    def success_schema(self, data_schema: dict[str, Any]) -> dict[str, Any]:
        """The schema of a wrapped successful body around ``data_schema``."""
        return data_schema

    @staticmethod
    def wrapper_schema(head: dict[str, Any], data_schema: dict[str, Any]) -> dict[str, Any]:
        """A successful body of ``head``'s fields plus ``data``, all required."""
        return {
            "type": "object",
            "required": [*head, "data"],
            "properties": {**head, "data": data_schema},
        }

    def code_schema(self, codes: list[Code]) -> dict[str, Any]:
        """The schema of the code field limited to ``codes``."""
        return {
            "type": "integer" if all(isinstance(code, int) for code in codes) else "string",
            "enum": codes,
        }

    # --- the "Error Handling" page ------------------------------------------------------

    def format_intro(self) -> str:
        return _(
            "When a request fails, the API returns a structured error body alongside the HTTP "
            "status code. The `error_code` field identifies the specific error for programmatic "
            "handling:"
        )

    def own_fields(self) -> list[EnvelopeField]:
        """The page's description of each of the style's own fields."""
        raise NotImplementedError

    def fields(self) -> tuple[EnvelopeField, ...]:
        fields = self.own_fields()
        fields.append(EnvelopeField(ERRORS_KEY, self.errors_description()))
        if self.conf.CORRELATION_ID_IN_BODY:
            fields.append(
                EnvelopeField(
                    CORRELATION_KEY,
                    _("The request's correlation id, also sent in the `%(header)s` header.")
                    % {"header": self.conf.CORRELATION_ID_HEADER},
                )
            )
        return tuple(fields)

    def errors_description(self) -> str:
        """The page's description of ``errors``, whose items ``field_errors`` makes."""
        return _(
            "Only on validation errors: a list of `{field, code, message}` objects, "
            "one per problem."
        )

    def practices(
        self, *, retry: Practice, logging: Practice, friendly: Practice
    ) -> tuple[Practice, ...]:
        """The page's best practices, in the drive document's order."""
        return (retry, logging, friendly)

    @staticmethod
    def code_description() -> str:
        return _("The error code from the tables below: branch on it in your code.")

    @staticmethod
    def message_description() -> str:
        return _("A human-readable description. Show or log it; do not parse it.")

    @staticmethod
    def outcome_description() -> str:
        return _("Always `false` on errors (`true` on success).")
