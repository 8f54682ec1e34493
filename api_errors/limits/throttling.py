"""DRF throttles on the same counters: past the limit they raise the catalog's error."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api_errors.limits.concurrency import LEASE_SECONDS, RETRY_AFTER, ConcurrencyPolicy
from api_errors.limits.counters import FIXED, MONTH
from api_errors.limits.policies import (
    Key,
    Policy,
    QuotaPolicy,
    RateLimitPolicy,
)


class PolicyThrottle(BaseThrottle):
    """Runs one policy. Subclasses set the class attributes that describe it."""

    group: str = ""
    key: Key = "user_or_ip"
    # How it counts and whether it refuses: as the policies' arguments of the same names.
    algorithm: str = FIXED
    burst: int | None = None
    shadow: bool = False

    def policy(self, view: Any) -> Policy:
        raise NotImplementedError

    def allow_request(self, request: Any, view: Any) -> bool:
        # Raising here (rather than returning False) keeps the error's own status,
        # Retry-After and rate-limit fields instead of DRF's generic Throttled.
        self.policy(view).enforce(request)
        return True


class RateLimitThrottle(PolicyThrottle):
    """``rate = "5/10s"``; or leave it unset to use ``view.throttle_scope`` as the group and
    ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]`` as the rate, like DRF's scoped throttle."""

    rate: str | None = None

    def policy(self, view: Any) -> Policy:
        """The policy for ``view`` (an instance, or the class when the checks ask)."""
        view_class = view if isinstance(view, type) else type(view)
        group = self.group or getattr(view, "throttle_scope", "") or view_class.__name__
        rate = self.rate or (api_settings.DEFAULT_THROTTLE_RATES or {}).get(group)
        return RateLimitPolicy(
            group=group,
            key=self.key,
            rate=str(rate) if rate else None,
            algorithm=self.algorithm,
            burst=self.burst,
            shadow=self.shadow,
        )


class QuotaThrottle(PolicyThrottle):
    """``limit`` calls per key each ``period`` ("month", "total", "30d"), else 403."""

    limit: int = 0
    period: str = MONTH

    def policy(self, view: Any) -> Policy:
        return QuotaPolicy(
            group=self.group,
            key=self.key,
            limit=self.limit,
            period=self.period,
            algorithm=self.algorithm,
            burst=self.burst,
            shadow=self.shadow,
        )


class ConcurrencyThrottle(PolicyThrottle):
    """At most ``limit`` requests per key in progress at once, else 429. The place is given
    back by ``APIErrorsMiddleware`` once the response is done (a throttle never sees it),
    or after ``lease_seconds`` should the worker die first."""

    limit: int = 1
    lease_seconds: float = LEASE_SECONDS
    retry_after: int = RETRY_AFTER

    def policy(self, view: Any) -> Policy:
        view_class = view if isinstance(view, type) else type(view)
        return ConcurrencyPolicy(
            group=self.group or view_class.__name__,
            key=self.key,
            limit=self.limit,
            lease_seconds=self.lease_seconds,
            retry_after=self.retry_after,
            shadow=self.shadow,
        )
