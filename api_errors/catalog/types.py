"""What a catalog is made of: codes, conditions, presets, and the error resolved from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.functional import Promise

Code = int | str
Message = str | Promise
# One field-level problem: {"field": "items.0.name", "code": "required", "message": ...}
FieldError = dict[str, Any]


class Location:
    """Where in the request the value behind a field error was sent."""

    BODY = "body"
    QUERY = "query"
    PATH = "path"
    HEADER = "header"

    ALL: tuple[str, ...] = (BODY, QUERY, PATH, HEADER)


BUSINESS = "business"
PLATFORM = "platform"


class Condition:
    """Names of the conditions a catalog maps to its own codes."""

    # Framework conditions: raised by Django, DRF or django-ratelimit.
    VALIDATION_ERROR = "validation_error"
    MALFORMED_REQUEST = "malformed_request"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    REQUEST_TOO_LARGE = "request_too_large"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXCEEDED = "quota_exceeded"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    SERVICE_UNAVAILABLE = "service_unavailable"
    SERVER_ERROR = "server_error"
    # Domain conditions: raised by application code through the typed exceptions.
    CONFLICT = "conflict"
    STATE_NOT_READY = "state_not_ready"
    CONNECTOR_NOT_LINKED = "connector_not_linked"
    DOWNLOAD_NOT_SUPPORTED = "download_not_supported"
    UPSTREAM_FAILURE = "upstream_failure"
    CLIENT_EXPIRED = "client_expired"
    TOTAL_LIMIT_EXCEEDED = "total_limit_exceeded"
    FILE_REJECTED = "file_rejected"

    FRAMEWORK: tuple[str, ...] = (
        VALIDATION_ERROR,
        MALFORMED_REQUEST,
        NOT_AUTHENTICATED,
        AUTHENTICATION_FAILED,
        PERMISSION_DENIED,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        UNSUPPORTED_MEDIA_TYPE,
        REQUEST_TOO_LARGE,
        RATE_LIMITED,
        QUOTA_EXCEEDED,
        INSUFFICIENT_BALANCE,
        SERVICE_UNAVAILABLE,
        SERVER_ERROR,
    )
    DOMAIN: tuple[str, ...] = (
        CONFLICT,
        STATE_NOT_READY,
        CONNECTOR_NOT_LINKED,
        DOWNLOAD_NOT_SUPPORTED,
        UPSTREAM_FAILURE,
        CLIENT_EXPIRED,
        TOTAL_LIMIT_EXCEEDED,
        FILE_REJECTED,
    )
    ALL: tuple[str, ...] = FRAMEWORK + DOMAIN


class MalformedDeprecation(TypeError):
    """An entry's ``deprecated`` value is not a deprecation (api_errors.E028 reports it)."""


@dataclass(frozen=True)
class Deprecation:
    """A code clients should stop relying on: since which API version, and what replaces it."""

    since: str
    replacement: Code | None = None

    @classmethod
    def from_value(cls, value: Any) -> Deprecation:
        """Accept a ``Deprecation`` or a dict with the same keys (as written in settings)."""
        if isinstance(value, Deprecation):
            return value
        if isinstance(value, Mapping):
            try:
                return cls(**value)
            except TypeError as exc:
                raise MalformedDeprecation(
                    f"a deprecation takes since and replacement: {exc}"
                ) from exc
        raise MalformedDeprecation(
            f"a deprecation is a Deprecation or dict, not {type(value).__name__}"
        )

    def describe(self) -> dict[str, Any]:
        return {"since": self.since, "replacement": self.replacement}

    def summary(self) -> str:
        """``deprecated since 2.4, replaced by 68300011``: how logs, checks and the schema
        word it."""
        if self.replacement is None:
            return f"deprecated since {self.since}"
        return f"deprecated since {self.since}, replaced by {self.replacement}"


@dataclass(frozen=True)
class CatalogEntry:
    """One documented error: its code, default HTTP status and client-facing message."""

    code: Code
    http_status: int
    message: Message
    category: str = BUSINESS
    retryable: bool = False
    deprecated: Deprecation | None = None

    def describe(self) -> dict[str, Any]:
        """The entry as clients read it (catalog view, export, page), message translated."""
        return {
            "code": self.code,
            "http_status": self.http_status,
            "message": str(self.message),
            "category": self.category,
            "retryable": self.retryable,
            "deprecated": None if self.deprecated is None else self.deprecated.describe(),
        }

    @classmethod
    def from_value(cls, value: Any) -> CatalogEntry:
        """Accept an entry or a dict with the same keys (as written in settings)."""
        if isinstance(value, CatalogEntry):
            return value
        if isinstance(value, Mapping):
            fields = dict(value)
            if fields.get("deprecated") is not None:
                fields["deprecated"] = Deprecation.from_value(fields["deprecated"])
            return cls(**fields)
        raise TypeError(f"catalog entries are CatalogEntry or dict, not {type(value).__name__}")


@dataclass(frozen=True)
class ConditionRule:
    """The code that answers a condition, and the HTTP status when it differs from the code's."""

    code: Code
    http_status: int | None = None

    @classmethod
    def from_value(cls, value: Any) -> ConditionRule:
        if isinstance(value, ConditionRule):
            return value
        if isinstance(value, Mapping):
            return cls(code=value["code"], http_status=value.get("http_status"))
        if isinstance(value, tuple):
            return cls(*value)
        return cls(code=value)


@dataclass(frozen=True)
class Preset:
    """A ready-made catalog: the entries of one document and its condition rules."""

    name: str
    entries: tuple[CatalogEntry, ...]
    conditions: Mapping[str, ConditionRule]


@dataclass
class Catalog:
    """The active catalog: entries by code and the rule for each condition."""

    entries: list[CatalogEntry]
    conditions: dict[str, ConditionRule] = field(default_factory=dict)
    # The preset it was built from: an exception's ``codes`` name codes by it.
    name: str = ""

    @cached_property
    def by_code(self) -> dict[Code, CatalogEntry]:
        return {entry.code: entry for entry in self.entries}

    @cached_property
    def by_text(self) -> dict[str, CatalogEntry]:
        """Entries by their code as text, as a URL or a client writes it."""
        return {str(entry.code): entry for entry in self.entries}

    def get(self, code: Code) -> CatalogEntry | None:
        return self.by_code.get(code)

    def rule(self, condition: str) -> ConditionRule:
        return self.conditions.get(condition) or self.conditions[Condition.SERVER_ERROR]

    def condition_status(self, rule: ConditionRule) -> int | None:
        """The status a condition's rule answers with: its own, else its code's (``None``
        for a code the catalog lacks)."""
        entry = self.get(rule.code)
        return None if entry is None else rule.http_status or entry.http_status

    def statuses(self, code: Code) -> list[int]:
        """Every status ``code`` is sent with: its entry's, then its conditions' (in order)."""
        entry = self.get(code)
        found = [] if entry is None else [entry.http_status]
        for rule in self.conditions.values():
            status = self.condition_status(rule) if rule.code == code else None
            if status is not None and status not in found:
                found.append(status)
        return found

    def duplicate_codes(self) -> list[Code]:
        seen: set[Code] = set()
        duplicates: list[Code] = []
        for entry in self.entries:
            if entry.code in seen and entry.code not in duplicates:
                duplicates.append(entry.code)
            seen.add(entry.code)
        return duplicates


@dataclass
class ResolvedError:
    """A catalog error ready to report and render."""

    entry: CatalogEntry
    http_status: int
    message: Message
    condition: str | None = None
    errors: list[FieldError] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    exception: BaseException | None = None
    alert: bool = True
    # A 4xx record's level when not CLIENT_ERROR_LOG_LEVEL.
    log_level: int | None = None
    # The limits that refused the request (or, on a 503, whose store is down), by name.
    violated_policies: tuple[str, ...] = ()

    @property
    def code(self) -> Code:
        return self.entry.code

    @property
    def is_server_error(self) -> bool:
        return self.http_status >= 500

    @property
    def client_message(self) -> Message:
        """What the client reads: 5xx bodies only ever carry the catalog's message."""
        return self.entry.message if self.is_server_error else self.message
