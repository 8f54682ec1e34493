"""Counters' keys and windows, and where a counter stands (``Usage``).

The keys and fixed windows are django-ratelimit's own (``_get_window`` and
``_make_cache_key``), so a view limited here and one limited by ``@ratelimit`` with the
same group, key and rate share one counter. Sliding logs, GCRA cells and a concurrency
limit's leases have keys of their own (``rolling_slot``, ``lease_slot``), whose hash tag
keeps each in one Redis Cluster slot.

With ``LIMITS_CLOCK = "store"`` on Redis, fixed windows and calendar months are derived
by the store from its own clock (``store_window_slot``, ``store_month_slot``): their keys
name no window, so servers whose clocks disagree still count in one, but they are no
longer django-ratelimit's.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import zlib
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django_ratelimit import core as ratelimit_core

from api_errors.http_values import whole_seconds

# As django-ratelimit: keep keys a little past their window so no count is lost.
EXPIRATION_FUDGE = ratelimit_core.EXPIRATION_FUDGE

MONTH = "month"
TOTAL = "total"

# How a limit counts (see api_errors.limits.algorithms).
FIXED = "fixed"
SLIDING = "sliding"
GCRA = "gcra"
ALGORITHMS = (FIXED, SLIDING, GCRA)
# A concurrency limit's leases: requests in progress, not an algorithm a rate can choose.
CONCURRENCY = "concurrency"

# Whose clock a fixed window follows (LIMITS_CLOCK): each app server's, as django-ratelimit
# does, or the counter store's (Redis ``TIME``).
APP_CLOCK = "app"
STORE_CLOCK = "store"
CLOCKS = (APP_CLOCK, STORE_CLOCK)


@dataclass(frozen=True)
class StoreWindow:
    """A fixed window the store derives from its own clock: ``period`` seconds, ending
    ``offset`` seconds into each (django-ratelimit's jitter), or the calendar month (UTC)
    when ``period`` is 0."""

    period: int
    offset: int = 0


@dataclass(frozen=True)
class Slot:
    """One counter: its cache key, how long the cache keeps it and when its window ends.

    A sliding log, a GCRA cell or a window of the store's clock (``store_window``) learns
    when a slot frees only from the store, so its ``resets_at`` is ``None`` until counted;
    ``burst`` is GCRA's.
    """

    cache_key: str
    ttl: int | None
    resets_at: float | None
    window_seconds: int | None
    algorithm: str = FIXED
    burst: int = 0
    store_window: StoreWindow | None = None


RATE_PATTERN = re.compile(r"(\d+)/(\d*)([smhd])")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/10s"`` as (5, 10): django-ratelimit's syntax, strictly (no zero periods, no
    unknown units), so a bad rate from a database or a callable is a clear error."""
    if isinstance(rate, str):
        return _parse_rate_text(rate)
    raise ImproperlyConfigured(f"invalid rate {rate!r}: use 'count/[n]unit', unit s, m, h or d")


@lru_cache(maxsize=256)
def _parse_rate_text(rate: str) -> tuple[int, int]:
    match = RATE_PATTERN.fullmatch(rate)
    if match is None or match.group(2) in ("0",):
        raise ImproperlyConfigured(f"invalid rate {rate!r}: use 'count/[n]unit', unit s, m, h or d")
    count, multiplier, unit = match.groups()
    period = int(multiplier or 1) * ratelimit_core._PERIODS[unit]
    if period <= 0:
        raise ImproperlyConfigured(f"invalid rate {rate!r}: the period must be positive")
    return int(count), period


@cache
def ratelimit_setting(name: str, default: Any) -> Any:
    """One of django-ratelimit's settings, read once: an unset setting costs an
    AttributeError on every read, and every limited request reads several."""
    return getattr(settings, name, default)


@receiver(setting_changed)
def _forget_ratelimit_settings(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("RATELIMIT_"):
        ratelimit_setting.cache_clear()
        window_cache_key.cache_clear()


def limits_cache_alias() -> str:
    """The cache django-ratelimit uses (``RATELIMIT_USE_CACHE``), shared with ``@ratelimit``."""
    return str(ratelimit_setting("RATELIMIT_USE_CACHE", "default"))


def limits_cache() -> BaseCache:
    return caches[limits_cache_alias()]


def fixed_window_slot(group: str, rate: str, value: str, method: Any) -> Slot:
    """django-ratelimit's window for ``rate`` ("5/10s"): jittered per key, integer seconds.

    The window holds every second ``t`` with ``int(t) <= end``, so it frees at ``end + 1``.
    """
    _limit, period = parse_rate(rate)
    end = ratelimit_core._get_window(value, period)
    methods = tuple(method) if isinstance(method, list) else method
    return Slot(
        cache_key=window_cache_key(group, end, rate, value, methods),
        ttl=period + EXPIRATION_FUDGE,
        resets_at=float(end + 1),
        window_seconds=period,
    )


@lru_cache(maxsize=4096)
def window_cache_key(group: str, end: int, rate: str, value: str, methods: Any) -> str:
    """django-ratelimit's cache key of one window (so ``@ratelimit`` shares the counter),
    kept while the window lasts: making it hashes and reads settings on every call."""
    return str(ratelimit_core._make_cache_key(group, end, rate, value, methods))


def _own_key(group: str, value: str, window_id: str) -> str:
    prefix = ratelimit_setting("RATELIMIT_CACHE_PREFIX", "rl:")
    raw = f"{group}|{value}|{window_id}".encode()
    return f"{prefix}{hashlib.sha256(raw).hexdigest()}"


def _tagged_key(kind: str, *parts: object) -> str:
    """A key whose digest is its hash tag, so it stays in one Redis Cluster slot."""
    prefix = ratelimit_setting("RATELIMIT_CACHE_PREFIX", "rl:")
    raw = "|".join(str(part) for part in parts).encode()
    return f"{prefix}{kind}:{{{hashlib.sha256(raw).hexdigest()}}}"


def _methods_part(method: Any) -> str:
    return str(tuple(method)) if isinstance(method, list | tuple) else str(method)


def _month_of(now: float) -> tuple[datetime, int]:
    """The calendar month (UTC) holding ``now``: its first moment and its length in days."""
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, monthrange(start.year, start.month)[1]


def calendar_month_slot(group: str, value: str, now: float) -> Slot:
    """A window per calendar month (UTC), for monthly quotas."""
    start, days = _month_of(now)
    resets_at = start.timestamp() + days * 86400
    return Slot(
        cache_key=_own_key(group, value, f"{start:%Y-%m}"),
        ttl=math.ceil(resets_at - now) + EXPIRATION_FUDGE,
        resets_at=resets_at,
        window_seconds=days * 86400,
    )


def store_window_slot(group: str, period: int, value: str, method: Any) -> Slot:
    """The fixed window of ``value`` that the store derives from its clock. Its key names
    neither the window nor the limit (a plan that changes its limit keeps its count); the
    window ends where django-ratelimit's would, on the store's clock."""
    return Slot(
        cache_key=_tagged_key(FIXED, group, value, period, _methods_part(method)),
        ttl=period + EXPIRATION_FUDGE,
        resets_at=None,
        window_seconds=period,
        store_window=StoreWindow(period, zlib.crc32(value.encode("utf-8")) % period),
    )


def store_month_slot(group: str, value: str, now: float) -> Slot:
    """The calendar month (UTC) of ``value`` by the store's clock. ``window_seconds`` (the
    ``w`` of ``RateLimit-Policy``) is the length of the month by this server's clock."""
    days = _month_of(now)[1]
    return Slot(
        cache_key=_tagged_key(MONTH, group, value),
        ttl=None,
        resets_at=None,
        window_seconds=days * 86400,
        store_window=StoreWindow(0),
    )


def rolling_slot(
    algorithm: str, group: str, period: int, value: str, method: Any, burst: int = 0
) -> Slot:
    """The sliding log or GCRA cell of ``value``. Its key leaves out the limit, so a plan
    that changes its limit keeps its history; the digest is the key's hash tag."""
    return Slot(
        cache_key=_tagged_key(algorithm, group, value, period, _methods_part(method)),
        ttl=period + EXPIRATION_FUDGE,
        resets_at=None,
        window_seconds=period,
        algorithm=algorithm,
        burst=burst,
    )


def lease_slot(group: str, value: str, method: Any, lease_seconds: float) -> Slot:
    """The leases of ``value``'s requests in progress. Its key leaves out the limit and the
    lease's length, so changing either keeps the requests already in progress counted."""
    return Slot(
        cache_key=_tagged_key(CONCURRENCY, group, value, _methods_part(method)),
        ttl=math.ceil(lease_seconds) + EXPIRATION_FUDGE,
        resets_at=None,
        window_seconds=None,
        algorithm=CONCURRENCY,
    )


def total_slot(group: str, value: str) -> Slot:
    """A counter that never resets, for total quotas."""
    return Slot(_own_key(group, value, TOTAL), ttl=None, resets_at=None, window_seconds=None)


def seconds_until(resets_at: float | None, now: float | None = None) -> int | None:
    """Whole seconds until ``resets_at``, at least one; ``None`` when it never resets."""
    if resets_at is None:
        return None
    return whole_seconds(resets_at - (time.time() if now is None else now))


@dataclass(frozen=True)
class Usage:
    """Where one counter stands after counting a request."""

    name: str
    limit: int
    count: int
    resets_at: float | None
    window_seconds: int | None
    # Refused again from a refusal the process remembers, without asking the store.
    remembered: bool = False
    # The draft's quota unit (``qu``) when not requests: "concurrent-requests". Such a count
    # has no window, and ``resets_at`` is when to try again, not when a place frees.
    unit: str | None = None

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def reset_seconds(self) -> int | None:
        return seconds_until(self.resets_at)
