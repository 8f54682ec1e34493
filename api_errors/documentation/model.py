"""What the "Error Handling" page is made of: its parts and the fixed texts they use."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from api_errors.catalog.types import BUSINESS, PLATFORM, Code, Condition
from api_errors.http_values import status_phrase
from api_errors.styles import EnvelopeField, Practice

TEMPLATE_NAME = "api_errors/error_handling.html"
# The page's JavaScript samples.
RETRY_SAMPLE = "api_errors/samples/retry.js"
LOGGING_SAMPLE = "api_errors/samples/logging.js"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
FORMATS = ("markdown", "json", "html")
# The condition the page's example shows: the platform document's "400 Bad Request".
EXAMPLE_CONDITION = Condition.VALIDATION_ERROR
# A fixed id, so the example does not change between runs.
EXAMPLE_CORRELATION_ID = "3c1d9f2e-8b4a-4e5f-9a7b-2d6c8e0f1a3b"
# Statuses a client sees on success, listed before the error statuses.
SUCCESS_STATUSES = (200, 201)
RETRY_AFTER_STATUSES = (429, 503)
CATALOG_TABLE_HEADER = (
    "| Code | HTTP | Message | Category | Retryable |\n| --- | --- | --- | --- | --- |"
)
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"

# Meaning and common causes of each status, worded after the reference documents.
STATUS_NOTES: dict[int, tuple[Promise, Promise]] = {
    200: (
        gettext_lazy("OK"),
        gettext_lazy("Request succeeded. The response body contains the requested data."),
    ),
    201: (
        gettext_lazy("Created"),
        gettext_lazy("Resource successfully created. The response includes the new resource."),
    ),
    400: (gettext_lazy("Bad Request"), gettext_lazy("Invalid parameters or malformed request")),
    401: (
        gettext_lazy("Unauthorized"),
        gettext_lazy("API key is missing, invalid, or expired"),
    ),
    402: (
        gettext_lazy("Payment Required"),
        gettext_lazy("Insufficient balance or quota for this operation"),
    ),
    403: (
        gettext_lazy("Forbidden"),
        gettext_lazy("Valid authentication but insufficient permissions, or a quota is exceeded"),
    ),
    404: (
        gettext_lazy("Not Found"),
        gettext_lazy("The resource doesn't exist: check the endpoint URL and resource ID"),
    ),
    405: (
        gettext_lazy("Method Not Allowed"),
        gettext_lazy("The endpoint does not accept this HTTP method"),
    ),
    406: (
        gettext_lazy("Not Acceptable"),
        gettext_lazy("The endpoint cannot produce the media type the Accept header asks for"),
    ),
    409: (
        gettext_lazy("Conflict"),
        gettext_lazy("The request conflicts with the current state of the resource"),
    ),
    413: (
        gettext_lazy("Content Too Large"),
        gettext_lazy("The request body is larger than the server accepts"),
    ),
    415: (
        gettext_lazy("Unsupported Media Type"),
        gettext_lazy("The request body's Content-Type is not supported"),
    ),
    429: (
        gettext_lazy("Too Many Requests"),
        gettext_lazy("Rate limit exceeded; wait for the seconds given in Retry-After"),
    ),
    500: (gettext_lazy("Internal Server Error"), gettext_lazy("Unexpected server-side error")),
    502: (
        gettext_lazy("Bad Gateway"),
        gettext_lazy("A service the API depends on failed"),
    ),
    503: (
        gettext_lazy("Service Unavailable"),
        gettext_lazy("The service is temporarily unavailable; retry after Retry-After seconds"),
    ),
}

CATEGORY_NOTES: dict[str, tuple[Promise, Promise]] = {
    BUSINESS: (
        gettext_lazy("Business Error Codes"),
        gettext_lazy("Business errors indicate issues with request parameters or data processing:"),
    ),
    PLATFORM: (
        gettext_lazy("Platform Error Codes"),
        gettext_lazy(
            "Platform errors relate to authentication, authorization, and quota management:"
        ),
    ),
}


@dataclass(frozen=True)
class ErrorRow:
    """One catalog entry as the page shows it, with its stable anchor."""

    code: Code
    http_status: int
    message: str
    category: str
    retryable: bool
    # ``{"since": ..., "replacement": ...}`` for a deprecated code, as the export writes it.
    deprecated: dict[str, Any] | None
    anchor: str

    @property
    def tone(self) -> str:
        return status_tone(self.http_status)

    @property
    def replacement(self) -> Code | None:
        return None if self.deprecated is None else self.deprecated["replacement"]

    @property
    def replacement_anchor(self) -> str | None:
        """The fragment of the replacement's row, where clients read what to use instead."""
        replacement = self.replacement
        return None if replacement is None else anchor_for(replacement)


@dataclass(frozen=True)
class CategorySection:
    name: str
    title: str
    description: str
    anchor: str
    errors: tuple[ErrorRow, ...]


@dataclass(frozen=True)
class StatusRow:
    status: int
    meaning: str
    causes: str
    errors: tuple[ErrorRow, ...]

    @property
    def tone(self) -> str:
        return status_tone(self.status)


@dataclass(frozen=True)
class Example:
    """An error response exactly as the server renders it for ``condition``."""

    condition: str
    code: Code
    http_status: int
    status_text: str
    content_type: str
    headers: tuple[tuple[str, str], ...]
    body: dict[str, Any]

    @property
    def tone(self) -> str:
        return status_tone(self.http_status)

    @property
    def body_json(self) -> str:
        return json.dumps(self.body, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class RetryGuidance:
    """Which errors to retry, derived from the retryable flags and ``Retry-After``."""

    errors: tuple[ErrorRow, ...]
    retry_after_statuses: tuple[int, ...]
    advice: tuple[str, ...]


@dataclass(frozen=True)
class LimitRow:
    """One limit of the URLconf as the page shows it."""

    name: str
    allowance: str
    counting: str
    enforced: bool


@dataclass(frozen=True)
class RateLimits:
    """The limits the API's views declare: how each counts, and (unless the rate-limit
    fields are off, keeping capacity private) their names and allowances."""

    intro: tuple[str, ...]
    rows: tuple[LimitRow, ...]
    counting: tuple[str, ...]  # how each algorithm in use counts, when there are no rows


# What a section of the page holds; its anchor and title are set once, by describe_errors.
FORMAT = "format"
STATUSES = "statuses"
CATEGORY = "category"
LIMITS = "limits"
PRACTICES = "practices"
HELP = "help"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    kind: str
    category: CategorySection | None = None


@dataclass(frozen=True)
class ErrorDocumentation:
    """Everything the "Error Handling" page says, in the active language."""

    style: str
    catalog: str
    title: str
    subtitle: str
    correlation_header: str
    format_intro: str
    fields: tuple[EnvelopeField, ...]
    example: Example
    statuses: tuple[StatusRow, ...]
    categories: tuple[CategorySection, ...]
    retry: RetryGuidance
    limits: RateLimits | None
    practices: tuple[Practice, ...]
    help_text: tuple[str, ...]
    sections: tuple[Section, ...]
    errors: tuple[ErrorRow, ...]  # every code, in catalog order


def anchor_for(code: Code) -> str:
    """The stable fragment of a code's row: ``error-68300004``, ``error-NOT_FOUND``."""
    return "error-" + re.sub(r"[^A-Za-z0-9_.-]", "-", str(code))


def status_tone(status: int) -> str:
    return "success" if status < 400 else "client" if status < 500 else "server"


def status_text(status: int) -> str:
    phrase = status_phrase(status)
    return f"{status} {phrase}" if phrase else str(status)
