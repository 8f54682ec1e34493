"""Documented error envelopes, one error catalog and correlation ids for Django and DRF."""

from __future__ import annotations

from typing import Any

from api_errors.correlation import get_correlation_id
from api_errors.declarations import raises
from api_errors.deprecation import renamed
from api_errors.exceptions import (
    RENAMED,
    AccessDenied,
    APIError,
    AuthenticationRequired,
    ClientExpired,
    Conflict,
    ConnectorNotLinked,
    DownloadNotSupported,
    FileRejected,
    InsufficientBalance,
    InvalidCredentials,
    InvalidParameter,
    MalformedRequest,
    QuotaExceeded,
    RateLimited,
    ResourceNotFound,
    ServiceUnavailable,
    StateNotReady,
    TotalLimitExceeded,
    UpstreamFailure,
)

__all__ = [
    "APIError",
    "AccessDenied",
    "AuthenticationRequired",
    "ClientExpired",
    "Conflict",
    "ConnectorNotLinked",
    "DownloadNotSupported",
    "FileRejected",
    "InsufficientBalance",
    "InvalidCredentials",
    "InvalidParameter",
    "MalformedRequest",
    "QuotaExceeded",
    "RateLimited",
    "ResourceNotFound",
    "ServiceUnavailable",
    "StateNotReady",
    "TotalLimitExceeded",
    "UpstreamFailure",
    "__version__",
    "get_correlation_id",
    "raises",
]

_renamed = renamed(__name__, RENAMED, globals())


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Read on first use: importlib.metadata costs milliseconds at import time.
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("api-errors")
        except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
            return "0.0.0"
    return _renamed(name)
