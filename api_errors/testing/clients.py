"""Every response Django's test clients receive (``Client``, ``AsyncClient`` and DRF's
``APIClient``, which is a ``Client``), handed to a listener.

``Client.request`` is the one method every request of a test client goes through,
redirects followed included, so it is wrapped while anyone listens.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Listener = Callable[[Any], None]

# The innermost listener hears: a pytest run inside a test (pytester) has its own.
_listeners: list[Listener] = []
_originals: dict[type, Any] = {}


def listen(listener: Listener) -> None:
    if not _listeners:
        _wrap_clients()
    _listeners.append(listener)


def stop_listening(listener: Listener) -> None:
    _listeners.remove(listener)
    if not _listeners:
        for client_class, request in _originals.items():
            client_class.request = request  # type: ignore[attr-defined]
        _originals.clear()


def _deliver(response: Any) -> None:
    _listeners[-1](response)


def _wrap_clients() -> None:
    from django.test.client import AsyncClient, Client

    sync_request = _originals[Client] = Client.request
    async_request = _originals[AsyncClient] = AsyncClient.request

    @functools.wraps(sync_request)
    def request(self: Client, **request: Any) -> Any:
        response = sync_request(self, **request)
        _deliver(response)
        return response

    @functools.wraps(async_request)
    async def arequest(self: AsyncClient, **request: Any) -> Any:
        response = await async_request(self, **request)
        _deliver(response)
        return response

    Client.request = request  # type: ignore[method-assign]
    AsyncClient.request = arequest  # type: ignore[method-assign]
