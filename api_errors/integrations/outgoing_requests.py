"""``requests``: a transport adapter that sends the correlation id to allowed hosts.

``requests`` copies a prepared request's headers onto every redirect, whatever its host. So
the adapter never changes the request it is given: it sends a copy with the header, and
decides again for each hop, which ``Session`` also sends through an adapter.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response, Session
from requests.adapters import HTTPAdapter

from api_errors.integrations.outgoing import correlation_header


class CorrelationAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that adds the correlation header for hosts on the allow-list,
    unless the request already has one. Mount it with ``session.mount("https://", ...)``."""

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        header = correlation_header(urlsplit(request.url or "").hostname)
        if header is not None and header[0] not in request.headers:
            request = request.copy()
            request.headers[header[0]] = header[1]
        return super().send(request, *args, **kwargs)


def correlated_session(**adapter_kwargs: Any) -> Session:
    """A ``Session`` whose ``http://`` and ``https://`` requests go through a
    ``CorrelationAdapter(**adapter_kwargs)`` (``max_retries``, pool sizes)."""
    session = Session()
    adapter = CorrelationAdapter(**adapter_kwargs)
    for prefix in ("http://", "https://"):
        session.mount(prefix, adapter)
    return session
