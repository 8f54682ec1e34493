"""One log record per error response; for 5xx, Django's signal and the traceback."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest

from api_errors.catalog.types import Code, Deprecation, ResolvedError
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


def _client_error_level(conf: APIErrorsSettings) -> int:
    try:
        return resolve_log_level(conf.CLIENT_ERROR_LOG_LEVEL)
    except SettingError:
        return logging.WARNING


def client_error_level(conf: APIErrorsSettings) -> int:
    """The level of a 4xx record; a bad setting (reported by the checks) logs a warning."""
    return conf.derived(_client_error_level)


def log_safe(value: object) -> str:
    """A client-controlled value as a log record may hold it: control and other
    unprintable characters, and backslashes, escaped, so no one can forge a log line."""
    text = str(value)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        char if char.isprintable() and char != "\\" else char.encode("unicode_escape").decode()
        for char in text
    )


def request_fields(request: HttpRequest, correlation_id: str | None) -> dict[str, Any]:
    """The attributes every record about a request carries, client values escaped."""
    return {
        "correlation_id": correlation_id or "-",
        "method": log_safe(request.method),
        "path": log_safe(request.path),
    }


def report_error(
    error: ResolvedError,
    request: HttpRequest,
    correlation_id: str | None,
    conf: APIErrorsSettings,
    *,
    send_signal: bool = True,
) -> None:
    """Log the error once, with its code, status, correlation id, method and path."""
    level = logging.ERROR
    if not error.is_server_error:
        level = client_error_level(conf) if error.log_level is None else error.log_level
        if not logger.isEnabledFor(level):
            return
    fields = request_fields(request, correlation_id)
    extra: dict[str, Any] = {
        "error_code": error.code,
        "status_code": error.http_status,
        **fields,
    }
    args = (
        fields["method"],
        fields["path"],
        error.http_status,
        error.code,
        fields["correlation_id"],
    )
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
        logger.log(level, message, *args, extra=extra)


# Deprecated codes already logged by this process, so each is logged once.
_deprecated_codes_seen: set[Code] = set()
_deprecated_codes_lock = threading.Lock()


def report_deprecated_code(
    error: ResolvedError,
    deprecation: Deprecation,
    request: HttpRequest,
    correlation_id: str | None,
) -> None:
    """The first answer with a deprecated code in this process logs one WARNING that names
    it, so operators learn a client still gets it; the next ones log nothing more."""
    with _deprecated_codes_lock:
        if error.code in _deprecated_codes_seen:
            return
        _deprecated_codes_seen.add(error.code)
    fields = request_fields(request, correlation_id)
    logger.warning(
        "%s %s answered with error code %s, %s (logged once per process) correlation_id=%s",
        fields["method"],
        fields["path"],
        error.code,
        deprecation.summary(),
        fields["correlation_id"],
        extra={
            "error_code": error.code,
            "deprecated_since": deprecation.since,
            "replacement": deprecation.replacement,
            **fields,
        },
    )


def report_render_failure(what: str, request: HttpRequest, correlation_id: str | None) -> None:
    """The error response to ``what`` could not be rendered: log the failure in flight,
    with the request's correlation id, before the fallback body goes out."""
    fields = request_fields(request, correlation_id)
    logger.exception(
        "%s %s -> 500 api_errors could not render the response to %s correlation_id=%s",
        fields["method"],
        fields["path"],
        what,
        fields["correlation_id"],
        extra={"status_code": 500, **fields},
    )
