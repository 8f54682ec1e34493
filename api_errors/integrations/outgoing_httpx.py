"""``httpx``: request event hooks that send the correlation id to allowed hosts.

A hook, unlike a transport, runs for every request whatever transport or proxy mount the
client picks. httpx builds a redirect from the previous request's headers, so the hook
records the header it added in the request's extensions and takes it off again on the
next hop before deciding for that hop's host.
"""

from __future__ import annotations

from typing import Any

import httpx

from api_errors.integrations.outgoing import correlation_header

# Carried from a request to its redirects by httpx: the (name, value) this hook added.
ADDED = "api_errors.correlation_header"


def add_correlation_header(request: httpx.Request) -> None:
    """A ``Client`` request hook: the correlation header for an allowed host, unless the
    request already has one."""
    # Each request has its own extensions dict: httpx copies it into every redirect.
    added = request.extensions.pop(ADDED, None)
    if added is not None and request.headers.get(added[0]) == added[1]:
        del request.headers[added[0]]
    header = correlation_header(request.url.host)
    if header is not None and header[0] not in request.headers:
        request.headers[header[0]] = header[1]
        request.extensions[ADDED] = header


async def add_correlation_header_async(request: httpx.Request) -> None:
    """The ``AsyncClient`` request hook: ``add_correlation_header``, awaitable."""
    add_correlation_header(request)


def _with_hook(kwargs: dict[str, Any], hook: Any) -> dict[str, Any]:
    # Last, so a hook of the caller's that sets the header explicitly is kept.
    hooks = dict(kwargs.pop("event_hooks", None) or {})
    hooks["request"] = [*hooks.get("request", ()), hook]
    return {**kwargs, "event_hooks": hooks}


def correlated_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client(**kwargs)`` that sends the correlation id to allowed hosts."""
    return httpx.Client(**_with_hook(kwargs, add_correlation_header))


def correlated_async_client(**kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient(**kwargs)`` that sends the correlation id to allowed hosts."""
    return httpx.AsyncClient(**_with_hook(kwargs, add_correlation_header_async))
