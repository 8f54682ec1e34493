"""Correlation ids: validating incoming ids, making new ones, the context variable, a log filter."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token

from api_errors.conf import APIErrorsSettings

TRACEPARENT_META_KEY = "HTTP_TRACEPARENT"

_correlation_id: ContextVar[str | None] = ContextVar("api_errors_correlation_id", default=None)


def get_correlation_id() -> str | None:
    """The id of the request being handled in this context, or ``None`` outside one."""
    return _correlation_id.get()


# The context variable's own methods: the middleware calls them on every request.
set_correlation_id: Callable[[str | None], Token[str | None]] = _correlation_id.set
reset_correlation_id: Callable[[Token[str | None]], None] = _correlation_id.reset

# New ids are made 256 at a time: formatting one UUID's text in Python costs several times
# what making a whole batch in C does, spread over its ids.
_BATCH = 256
_HEX_DIGIT = bytes(b"0123456789abcdef"[byte & 15] for byte in range(256))
_VARIANT_DIGIT = bytes(b"89ab"[byte & 3] for byte in range(256))  # RFC 9562: 10xx
# Where the 32 digits go in a UUID's text; dashes sit at 8, 13, 18 and 23, a space ends it.
_DASHES = (8, 13, 18, 23)
_DIGIT_SLOTS = tuple(slot for slot in range(36) if slot not in _DASHES)
_new_ids: list[str] = []


def _id_batch() -> list[str]:
    """``_BATCH`` random UUID4s as text: one random byte per digit, each byte's low bits."""
    random = os.urandom(32 * _BATCH)
    text = bytearray(b" " * (37 * _BATCH))
    for digit, slot in enumerate(_DIGIT_SLOTS):
        text[slot::37] = random[digit::32].translate(_HEX_DIGIT)
    for slot in _DASHES:
        text[slot::37] = b"-" * _BATCH
    text[14::37] = b"4" * _BATCH  # the version
    text[19::37] = random[16::32].translate(_VARIANT_DIGIT)
    return text.decode("ascii").split()


# A forked worker must not hand out the ids its parent had made (there is no fork on Windows).
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_ids.clear)


def new_correlation_id() -> str:
    """A random UUID4 in its canonical text form."""
    try:
        return _new_ids.pop()
    except IndexError:
        _new_ids.extend(_id_batch())
        return _new_ids.pop()


def matches_correlation_pattern(value: str, conf: APIErrorsSettings) -> bool:
    """Whether ``value`` is printable ASCII and matches ``CORRELATION_ID_PATTERN`` in full."""
    # Whatever the configured pattern allows, never accept what could break a header line.
    if not (value.isascii() and value.isprintable()):
        return False
    pattern = conf.correlation_pattern
    return pattern is not None and pattern.fullmatch(value) is not None


# The forms of the ids made here: a new UUID4, or a trace id.
_MADE_HERE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|[0-9a-f]{32}"
)


def is_made_here(value: str) -> bool:
    """Whether ``value`` has the form of an id this package makes or takes from a trace."""
    return _MADE_HERE.fullmatch(value) is not None


def accepted_correlation_id(value: str | None, conf: APIErrorsSettings) -> str | None:
    """``value`` when incoming ids are trusted and it matches the pattern in full, else ``None``."""
    if not value or not conf.TRUST_CORRELATION_ID:
        return None
    return value if matches_correlation_pattern(value, conf) else None


def is_sent_correlation_id(value: str, conf: APIErrorsSettings) -> bool:
    """Whether the middleware can send ``value``: a client's id it accepts, a new UUID4 or
    a trace id."""
    return is_made_here(value) or accepted_correlation_id(value, conf) is not None


def client_correlation_id(meta: Mapping[str, object], conf: APIErrorsSettings) -> str | None:
    """The request's own id, when it sent an acceptable one."""
    incoming = meta.get(conf.correlation_meta_key)
    return accepted_correlation_id(incoming, conf) if isinstance(incoming, str) else None


# W3C Trace Context: version, trace-id, parent-id, flags, all lowercase hex. A later
# version may append fields after a dash; version 00 may not.
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?", re.S)
_ZERO_TRACE_ID, _ZERO_PARENT_ID = "0" * 32, "0" * 16


def traceparent_trace_id(value: object) -> str | None:
    """The trace id of a valid ``traceparent`` header value, else ``None``."""
    if not isinstance(value, str):
        return None
    match = _TRACEPARENT.fullmatch(value)
    if match is None:
        return None
    version, trace_id, parent_id, rest = match.groups()
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if trace_id == _ZERO_TRACE_ID or parent_id == _ZERO_PARENT_ID:
        return None
    return trace_id


def traced_correlation_id(meta: Mapping[str, object]) -> str | None:
    """The trace id of the request's ``traceparent``, when it sent a valid one."""
    return traceparent_trace_id(meta.get(TRACEPARENT_META_KEY))


class CorrelationIdFilter(logging.Filter):
    """Puts ``correlation_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = _correlation_id.get() or "-"
        return True
