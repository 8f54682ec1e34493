"""Concurrency limits: at most ``limit`` requests in progress per key, else 429.

An admitted request takes a lease, which goes back when the response is done (see
``api_errors.limits.leases``) or, should its worker die first, when the lease expires
after ``lease_seconds``. A refusal's ``Retry-After`` is a hint, not a promise: a place frees
as soon as a request in progress finishes, which nobody can know in advance. It says
``retry_after`` seconds (1 by default), or fewer when the oldest lease expires sooner, by
when a place is free whatever the requests in progress do.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured

from api_errors.limits.counters import CONCURRENCY, Usage, lease_slot
from api_errors.limits.headers import CONCURRENT_REQUESTS
from api_errors.limits.leases import Lease, hold_lease
from api_errors.limits.policies import Policy, remember_usage, resolve_key
from api_errors.limits.store import CounterUnavailable, counter_store

# Longer than a request should ever take (gunicorn kills a silent sync worker after 30 s):
# a lease outliving its request only delays its place's return until a dead worker's.
LEASE_SECONDS = 60.0
RETRY_AFTER = 1

Limit = int | Callable[[str, Any], int | None]


@dataclass(frozen=True)
class ConcurrencyPolicy(Policy):
    """At most ``limit`` requests per key at once (``limit`` may be a callable answering
    ``None`` for "not limited"): 429 past it, as a rate limit's."""

    limit: Limit = 1
    _: KW_ONLY
    lease_seconds: float = LEASE_SECONDS
    retry_after: int = RETRY_AFTER
    algorithm: str = CONCURRENCY
    holds_leases: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.algorithm != CONCURRENCY or self.burst is not None:
            raise ImproperlyConfigured(
                f"concurrency limit {self.group!r}: it counts requests in progress and takes "
                "no algorithm or burst"
            )
        if not callable(self.limit):
            self.checked_limit(self.limit)
        seconds = self.lease_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ImproperlyConfigured(
                f"concurrency limit {self.group!r}: lease_seconds must be a number"
            )
        if not 0 < seconds < math.inf:
            raise ImproperlyConfigured(
                f"concurrency limit {self.group!r}: lease_seconds must be a positive number"
            )
        if not _whole_number(self.retry_after, at_least=1):
            raise ImproperlyConfigured(
                f"concurrency limit {self.group!r}: retry_after must be a whole number of "
                "seconds, at least 1"
            )

    def checked_limit(self, limit: object) -> int:
        """``limit`` as written or answered: a whole number, at least 0."""
        if not isinstance(limit, int) or not _whole_number(limit, at_least=0):
            raise ImproperlyConfigured(
                f"concurrency limit {self.group!r}: the limit must be a whole number of "
                f"requests, at least 0, not {limit!r}"
            )
        return limit

    def algorithm_problem(self) -> str | None:
        return None

    def awaits_store(self, request: Any) -> bool:
        """Leases are taken in a worker thread: the async store counts, it holds nothing."""
        return False

    def literal_limit(self) -> int | None:
        return None if callable(self.limit) else self.limit

    def _count(self, request: Any) -> tuple[Usage, str] | None:
        """Take a lease for ``request`` (a shadow policy takes one past the limit too, since
        it admits); the usage counts the requests in progress with this one."""
        if not self.applies_to(request):
            return None
        value = resolve_key(self.key, self.group, request)
        answered = self.limit(self.group, request) if callable(self.limit) else self.limit
        if answered is None:
            return None
        limit = self.checked_limit(answered)
        slot = lease_slot(self.group, value, self.method, self.lease_seconds)
        store, lease_id = counter_store(), uuid.uuid4().hex
        try:
            taken, verdict = store.lease(slot, limit, lease_id, self.lease_seconds, self.shadow)
        except CounterUnavailable:
            self.counter_unavailable()
            return None
        if taken:
            hold_lease(request, Lease(store, slot, lease_id))
        wait = min(float(self.retry_after), verdict.wait) if verdict.wait > 0 else self.retry_after
        usage = Usage(
            self.group,
            limit,
            verdict.count,
            time.time() + wait,
            None,
            unit=CONCURRENT_REQUESTS,
        )
        remember_usage(request, usage)
        return usage, value


def _whole_number(value: object, *, at_least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= at_least
