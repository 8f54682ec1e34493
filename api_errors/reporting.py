"""One log record per error response; for 5xx, Django's signal and the traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest

from api_errors.conf import ApiErrorsSettings
from api_errors.conversion import ResolvedError

logger = logging.getLogger("api_errors")


def client_error_level(conf: ApiErrorsSettings) -> int:
    level = conf.CLIENT_ERROR_LOG_LEVEL
    if isinstance(level, int):
        return level
    resolved = logging.getLevelName(str(level).upper())
    return resolved if isinstance(resolved, int) else logging.WARNING


def report_error(
    error: ResolvedError,
    request: HttpRequest,
    correlation_id: str | None,
    conf: ApiErrorsSettings,
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
