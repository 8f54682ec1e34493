"""Documented error envelopes, one error catalog and correlation ids for Django and DRF."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from api_errors.correlation import get_correlation_id
from api_errors.declarations import raises
from api_errors.exceptions import (
    AccessDenied,
    APIError,
    AuthenticationFailed,
    BadRequest,
    ClientExpired,
    Conflict,
    ConnectorNotLinked,
    DownloadNotSupported,
    FileRejected,
    InsufficientBalance,
    InvalidParameter,
    NotAuthenticated,
    NotFound,
    QuotaExceeded,
    RateLimited,
    ServiceUnavailable,
    StateNotReady,
    TotalLimitExceeded,
    UpstreamFailure,
)

try:
    __version__ = version("api-errors")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

__all__ = [
    "APIError",
    "AccessDenied",
    "AuthenticationFailed",
    "BadRequest",
    "ClientExpired",
    "Conflict",
    "ConnectorNotLinked",
    "DownloadNotSupported",
    "FileRejected",
    "InsufficientBalance",
    "InvalidParameter",
    "NotAuthenticated",
    "NotFound",
    "QuotaExceeded",
    "RateLimited",
    "ServiceUnavailable",
    "StateNotReady",
    "TotalLimitExceeded",
    "UpstreamFailure",
    "__version__",
    "get_correlation_id",
    "raises",
]
