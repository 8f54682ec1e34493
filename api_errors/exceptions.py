"""``APIError`` and the typed exceptions views raise.

An exception names its error by ``condition`` (a meaning such as ``conflict``, answered
with whatever code the active catalog maps it to), so the same view works in every style.
It may also name exact codes: ``code`` (one catalog's code) or ``codes``, one per catalog
(``{"platform": 68300006, "drive": "ACCESS_DENIED"}``); a catalog it names no code for
answers the condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from api_errors.catalog.types import Code, Condition, FieldError, Location, Message
from api_errors.deprecation import renamed


class APIError(Exception):
    """An error the client is meant to see, with a catalog code and a safe message."""

    code: Code | None = None
    codes: Mapping[str, Code] | None = None
    condition: str = Condition.SERVER_ERROR
    # The level of a 4xx's log record; None is CLIENT_ERROR_LOG_LEVEL. A limit lowers it
    # for the repeats of a refusal it remembers, so a flood does not flood the log.
    log_level: int | None = None
    http_status: int | None = None

    def __init__(
        self,
        message: Message | None = None,
        *,
        code: Code | None = None,
        http_status: int | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: int | None = None,
        alert: bool = True,
        violated_policies: Sequence[str] = (),
    ) -> None:
        """``message`` is shown to clients of 4xx errors as given: never pass internal details.

        ``alert=False`` marks a 5xx the server sends on purpose: it is logged without a
        traceback and does not send ``got_request_exception`` to error trackers.

        ``violated_policies`` names the limits behind a refusal (or, on a 503, the limit
        whose store is down) as ``RateLimit-Policy`` names them; the problem style shows
        them in the ratelimit-headers draft's problem types.

        An item of ``errors`` may say where its value was sent: ``"location"`` is one of
        ``Location.ALL`` (the problem style shows it; it is worked out when left out).
        """
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        # The log shows this when no message is given, rather than "None".
        super().__init__(message if message is not None else self.code or self.condition)
        self.message = message
        self.alert = alert
        self.errors = _field_errors(errors) if errors is not None else None
        self.headers = dict(headers or {})
        self.retry_after = retry_after
        self.violated_policies = tuple(violated_policies)

    def code_for(self, catalog_name: str) -> Code | None:
        """The exact code this error names in the catalog ``catalog_name``, if any."""
        if self.code is not None:
            return self.code
        return (self.codes or {}).get(catalog_name)


def _field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Copies of ``errors``; a location that is not one of ``Location.ALL`` is a bug of the
    view, refused where it is written."""
    items = [dict(item) for item in errors]
    for item in items:
        location = item.get("location")
        if location is not None and location not in Location.ALL:
            raise ValueError(
                f"field error location {location!r} is not one of {', '.join(Location.ALL)}"
            )
    return items


class InvalidParameter(APIError):
    condition = Condition.VALIDATION_ERROR


class MalformedRequest(APIError):
    condition = Condition.MALFORMED_REQUEST


class AuthenticationRequired(APIError):
    condition = Condition.NOT_AUTHENTICATED


class InvalidCredentials(APIError):
    condition = Condition.AUTHENTICATION_FAILED


class ClientExpired(APIError):
    condition = Condition.CLIENT_EXPIRED


class AccessDenied(APIError):
    condition = Condition.PERMISSION_DENIED


class ResourceNotFound(APIError):
    condition = Condition.NOT_FOUND


class Conflict(APIError):
    condition = Condition.CONFLICT


class StateNotReady(APIError):
    condition = Condition.STATE_NOT_READY


class ConnectorNotLinked(APIError):
    condition = Condition.CONNECTOR_NOT_LINKED


class DownloadNotSupported(APIError):
    condition = Condition.DOWNLOAD_NOT_SUPPORTED


class FileRejected(APIError):
    condition = Condition.FILE_REJECTED


class UpstreamFailure(APIError):
    condition = Condition.UPSTREAM_FAILURE


class RateLimited(APIError):
    condition = Condition.RATE_LIMITED


class QuotaExceeded(APIError):
    condition = Condition.QUOTA_EXCEEDED


class TotalLimitExceeded(APIError):
    condition = Condition.TOTAL_LIMIT_EXCEEDED


class InsufficientBalance(APIError):
    condition = Condition.INSUFFICIENT_BALANCE


class ServiceUnavailable(APIError):
    condition = Condition.SERVICE_UNAVAILABLE


# Names that clashed with DRF's and Django's own exceptions.
RENAMED = {
    "BadRequest": "MalformedRequest",
    "NotAuthenticated": "AuthenticationRequired",
    "AuthenticationFailed": "InvalidCredentials",
    "NotFound": "ResourceNotFound",
}

__getattr__ = renamed(__name__, RENAMED, globals())
