"""Correlation ids: validating incoming ids, making new ones, the context variable, a log filter."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextvars import ContextVar, Token

from api_errors.conf import APIErrorsSettings

_correlation_id: ContextVar[str | None] = ContextVar("api_errors_correlation_id", default=None)


def get_correlation_id() -> str | None:
    """The id of the request being handled in this context, or ``None`` outside one."""
    return _correlation_id.get()


# The context variable's own methods: the middleware calls them on every request.
set_correlation_id: Callable[[str | None], Token[str | None]] = _correlation_id.set
reset_correlation_id: Callable[[Token[str | None]], None] = _correlation_id.reset

# The RFC 9562 variant bits (10xx) over any hex digit.
_VARIANT = {digit: "89ab"[int(digit, 16) >> 2] for digit in "0123456789abcdef"}


def new_correlation_id() -> str:
    """A random UUID4 in its canonical text form (cheaper than ``str(uuid.uuid4())``)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def accepted_correlation_id(value: str | None, conf: APIErrorsSettings) -> str | None:
    """``value`` when incoming ids are trusted and it matches the pattern in full, else ``None``."""
    if not value or not conf.TRUST_CORRELATION_ID:
        return None
    # Whatever the configured pattern allows, never accept what could break a header line.
    if not (value.isascii() and value.isprintable()):
        return None
    pattern = conf.correlation_pattern
    if pattern is None or pattern.fullmatch(value) is None:
        return None
    return value


def correlation_id_for(meta: dict[str, object], conf: APIErrorsSettings) -> str:
    """The id to use for a request: the client's when acceptable, a new one otherwise."""
    incoming = meta.get(conf.correlation_meta_key)
    if isinstance(incoming, str):
        accepted = accepted_correlation_id(incoming, conf)
        if accepted is not None:
            return accepted
    return new_correlation_id()


class CorrelationIdFilter(logging.Filter):
    """Puts ``correlation_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = _correlation_id.get() or "-"
        return True
