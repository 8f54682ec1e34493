"""The correlation header an outgoing HTTP call may carry, decided once per call and host.

``outgoing_requests``, ``outgoing_httpx`` and ``outgoing_urllib3`` ask this for every request
they send, redirects included. It reads the settings at send time, so ``override_settings``
and a changed ``OUTGOING_CORRELATION_HOSTS`` apply to clients made before the change.
"""

from __future__ import annotations

from api_errors.conf import get_settings
from api_errors.correlation import get_correlation_id
from api_errors.integrations.hosts import sends_correlation_id


def correlation_header(host: str | None) -> tuple[str, str] | None:
    """``(header name, id)`` for a request to ``host``, or ``None``: outside a request or a
    task, or when ``host`` is not on ``OUTGOING_CORRELATION_HOSTS``."""
    correlation_id = get_correlation_id()
    if correlation_id is None:
        return None
    conf = get_settings()
    if not sends_correlation_id(bracketed(host), conf):
        return None
    return conf.CORRELATION_ID_HEADER, correlation_id


def bracketed(host: str | None) -> str | None:
    """``host`` as a URL writes it: clients hand over ``::1``, the setting names ``[::1]``."""
    if host and ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host
