"""The leases a request holds on concurrency limits, and giving them back when it is done.

A policy leaves each lease it takes on the request. Whoever sees the response gives them
back: the decorator around the view (when it returns or raises) and the middleware (for a
DRF throttle's, whose view has no decorator). A streaming response is not done when the
view returns: its leases go back when the response is closed, which the server does once
the last chunk is sent or the client has gone. A lease nobody gives back (its worker died)
expires by itself.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from api_errors.limits.counters import Slot
from api_errors.limits.store import CounterStore, CounterUnavailable

# The request attribute where policies leave their leases.
LEASES_ATTRIBUTE = "api_errors_leases"


@dataclass
class Lease:
    """One place taken on a concurrency limit, given back at most once."""

    store: CounterStore
    slot: Slot
    lease_id: str
    released: bool = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        # Unreachable, it expires by itself; the store has logged the outage once.
        with suppress(CounterUnavailable):
            self.store.release(self.slot, self.lease_id)


def _django_request(request: Any) -> Any:
    # Through __dict__: a DRF Request would look a missing attribute up on itself.
    return request.__dict__.get("_request", request)


def hold_lease(request: Any, lease: Lease) -> None:
    _django_request(request).__dict__.setdefault(LEASES_ATTRIBUTE, []).append(lease)


def settle_leases(request: Any, response: Any = None) -> None:
    """Give back the leases ``request`` holds now, or, for a streaming ``response``, when it
    is closed. A streaming response's leases stay on the request, so the middleware ties
    them to the response it sends too, should a middleware below it have replaced this one."""
    attributes = _django_request(request).__dict__
    if getattr(response, "streaming", False):
        # Django's own hook: close() calls them, and ignores their errors.
        response._resource_closers.extend(
            lease.release for lease in attributes.get(LEASES_ATTRIBUTE, ())
        )
        return
    for lease in attributes.pop(LEASES_ATTRIBUTE, ()):
        lease.release()
