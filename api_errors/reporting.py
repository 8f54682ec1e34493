"""One log record per error response; for 5xx, Django's signal and the traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest

from api_errors.catalog.types import ResolvedError
from api_errors.conf import APIErrorsSettings, SettingError, resolve

logger = logging.getLogger("api_errors")


def resolve_log_level(value: Any) -> int:
    """``CLIENT_ERROR_LOG_LEVEL`` as a number: a level name (custom ones too) or an integer."""
    named: dict[str, int] = {}
    if isinstance(value, str) and isinstance(logging.getLevelName(value.upper()), int):
        named[value] = logging.getLevelName(value.upper())
    level: int = resolve(
        "CLIENT_ERROR_LOG_LEVEL",
        value,
        accept=lambda found: isinstance(found, int) and not isinstance(found, bool),
        expected="a logging level",
        named=named,
    )
    return level


def client_error_level(conf: APIErrorsSettings) -> int:
    """The level of a 4xx record; a bad setting (reported by the checks) logs a warning."""
    try:
        return resolve_log_level(conf.CLIENT_ERROR_LOG_LEVEL)
    except SettingError:
        return logging.WARNING


def report_error(
    error: ResolvedError,
    request: HttpRequest,
    correlation_id: str | None,
    conf: APIErrorsSettings,
    *,
    send_signal: bool = True,
) -> None:
    """Log the error once, with its code, status, correlation id, method and path."""
    extra: dict[str, Any] = {
        "error_code": error.code,
        "status_code": error.http_status,
        "correlation_id": correlation_id or "-",
        "method": request.method,
        "path": request.path,
    }
    args = (request.method, request.path, error.http_status, error.code, correlation_id or "-")
    message = "%s %s -> %s error_code=%s correlation_id=%s"
    exception = error.exception
    if error.is_server_error and error.alert:
        if send_signal and exception is not None:
            got_request_exception.send(sender=None, request=request)
        exc_info = (type(exception), exception, exception.__traceback__) if exception else None
        logger.error(message, *args, exc_info=exc_info, extra=extra)
    elif error.is_server_error:
        logger.error(message, *args, extra=extra)
    else:
        logger.log(client_error_level(conf), message, *args, extra=extra)
