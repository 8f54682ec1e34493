"""Which outgoing hosts may receive the correlation id: ``OUTGOING_CORRELATION_HOSTS``.

Nothing is sent by default, so ids never reach a third party unless a project names it.
A pattern is a host name or IP address, matched exactly, or ``.example.com``, which also
matches every subdomain (as in Django's ``ALLOWED_HOSTS``).
"""

from __future__ import annotations

import re

from django.utils.http import is_same_domain

from api_errors.conf import APIErrorsSettings

_HOST_PATTERN = re.compile(r"\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\]", re.IGNORECASE)


def is_host_pattern(value: object) -> bool:
    """Whether ``value`` can be an ``OUTGOING_CORRELATION_HOSTS`` entry."""
    return isinstance(value, str) and _HOST_PATTERN.fullmatch(value) is not None


def _patterns(conf: APIErrorsSettings) -> tuple[str, ...]:
    return tuple(p.lower() for p in conf.OUTGOING_CORRELATION_HOSTS if is_host_pattern(p))


def sends_correlation_id(host: str | None, conf: APIErrorsSettings) -> bool:
    """Whether a request to ``host`` (a URL's host, without its port) may carry the id."""
    patterns = conf.derived(_patterns)
    if not host or not patterns:
        return False
    host = host.lower().rstrip(".")
    return any(is_same_domain(host, pattern) for pattern in patterns)
