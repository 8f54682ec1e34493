"""Rate limits and quotas: who is counted, in which window, and what happens past the limit."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIRequest
from django.utils.module_loading import import_string
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core

from api_errors.conf import get_settings
from api_errors.correlation import get_correlation_id
from api_errors.exceptions import (
    APIError,
    QuotaExceeded,
    RateLimited,
    ServiceUnavailable,
    TotalLimitExceeded,
)
from api_errors.limits.algorithms import algorithm_problem, size_problem
from api_errors.limits.async_store import async_counter_store
from api_errors.limits.counters import (
    FIXED,
    MONTH,
    STORE_CLOCK,
    TOTAL,
    Slot,
    Usage,
    calendar_month_slot,
    fixed_window_slot,
    limits_cache,
    parse_rate,
    ratelimit_setting,
    rolling_slot,
    store_month_slot,
    store_window_slot,
    total_slot,
)
from api_errors.limits.headers import USAGE_ATTRIBUTE, rate_limit_headers
from api_errors.limits.store import CounterUnavailable, counter_store
from api_errors.reporting import client_error_level, log_safe, request_fields

logger = logging.getLogger("api_errors")

Key = str | Callable[[str, Any], str]
Rate = str | Callable[[str, Any], str | None] | None
# The key forms that read the request's user.
USER_KEYS = ("user", "user_or_ip")


def resolve_key(key: Key, group: str, request: Any, user: Any = None) -> str:
    """django-ratelimit's key forms: "ip", "user", "user_or_ip", "header:x", "get:q",
    a dotted path or a callable ``(group, request)``. ``user``: the one an async view
    awaited (``request.auser()``), read as django-ratelimit reads ``request.user``."""
    if callable(key):
        return str(key(group, request))
    if user is not None and key in USER_KEYS:
        if key == "user" or user.is_authenticated:
            return str(user.pk)
        return client_ip(request)
    if key == "ip" or (key == "user_or_ip" and not request.user.is_authenticated):
        return client_ip(request)
    if key in ratelimit_core._SIMPLE_KEYS:
        return str(ratelimit_core._SIMPLE_KEYS[key](request))
    accessor, _, name = key.partition(":")
    if name and accessor in ratelimit_core._ACCESSOR_KEYS:
        return str(ratelimit_core._ACCESSOR_KEYS[accessor](request, name))
    return str(import_string(key)(group, request))


def client_ip(request: Any) -> str:
    """django-ratelimit's ``ip`` key, its network masking memoised (``ipaddress`` costs
    more than the rest of a limit check). A configured ``RATELIMIT_IP_META_KEY`` or an
    empty address is left to django-ratelimit, errors included."""
    address = request.META.get("REMOTE_ADDR")
    if ratelimit_setting("RATELIMIT_IP_META_KEY", None) or not address:
        return str(ratelimit_core._get_ip(request))
    if ":" in address:
        return network_address(address, ratelimit_setting("RATELIMIT_IPV6_MASK", 64))
    return network_address(address, ratelimit_setting("RATELIMIT_IPV4_MASK", 32))


@lru_cache(maxsize=4096)
def network_address(address: str, mask: int) -> str:
    return str(ipaddress.ip_network(f"{address}/{mask}", strict=False).network_address)


def is_builtin_key(key: Key) -> bool:
    """One of django-ratelimit's key forms, not your callable or dotted path."""
    if callable(key):
        return False
    accessor, _, name = key.partition(":")
    if name:
        return accessor in ratelimit_core._ACCESSOR_KEYS
    return key in ratelimit_core._SIMPLE_KEYS


def windows_on_store_clock() -> bool:
    """``LIMITS_CLOCK = "store"`` on a store with a clock (Redis): fixed windows and
    calendar months are derived there. Other caches have none, so keep the app's."""
    return get_settings().LIMITS_CLOCK == STORE_CLOCK and counter_store().redis() is not None


def fail_open() -> bool:
    """``LIMITS_FAIL_OPEN``, or django-ratelimit's ``RATELIMIT_FAIL_OPEN`` when unset."""
    configured = get_settings().LIMITS_FAIL_OPEN
    if configured is None:
        return bool(ratelimit_setting("RATELIMIT_FAIL_OPEN", False))
    return bool(configured)


class Counting(NamedTuple):
    """A request about to be counted: under which key value, limit and slot, and the
    refusal the process remembers for that slot (then the store is not asked)."""

    value: str
    limit: int
    slot: Slot
    remember: bool
    refusal: tuple[int, float] | None


@dataclass(frozen=True)
class Policy:
    """A limit on one group of requests, counted per key.

    ``algorithm`` says how: ``"fixed"`` windows (django-ratelimit's, shared with
    ``@ratelimit``), a ``"sliding"`` log or ``"gcra"`` (``burst`` at once; the limit by
    default). A ``shadow`` policy counts, sends its fields and logs what it would have
    refused, but refuses nothing.
    """

    group: str
    key: Key = "user_or_ip"
    method: Any = ALL
    error_class: type[APIError] = RateLimited
    _: KW_ONLY
    algorithm: str = FIXED
    burst: int | None = None
    shadow: bool = False
    # Whether a refusal holds until a slot frees, so that with LIMITS_REMEMBER_REFUSALS
    # later calls until then are refused without the store.
    remembers_refusals: ClassVar[bool] = False
    # Whether an admitted request holds a place until it is done (api_errors.limits.leases).
    holds_leases: ClassVar[bool] = False

    def slot(self, value: str, request: Any, now: float) -> tuple[int, Slot] | None:
        raise NotImplementedError

    def reads_only_the_request(self) -> bool:
        """Whether counting calls none of your code (a key, rate or limit that is a
        callable or a dotted path), which may use the database and so needs a thread
        under an async view. A policy class of your own may: ``False``."""
        return False

    def literal_limit(self) -> int | None:
        """The limit when it is written down (not a callable's), for the checks."""
        return None

    @property
    def calendar(self) -> bool:
        """Whether the window is a calendar month or has no end: only a fixed counter fits."""
        return False

    def algorithm_problem(self) -> str | None:
        """Why this policy's algorithm cannot count it (``manage.py check`` reports it)."""
        return algorithm_problem(self.algorithm, calendar=self.calendar)

    def problem(self, limit: int) -> str | None:
        return self.algorithm_problem() or size_problem(self.algorithm, limit, self.burst)

    def counted_slot(self, value: str, limit: int, rate: str) -> Slot:
        """The slot of ``value`` for this policy's algorithm, ``rate`` ("5/10s") giving the
        window; a misconfiguration (which ``manage.py check`` reports) is an error here."""
        if self.algorithm == FIXED and self.burst is None:
            if windows_on_store_clock():
                return store_window_slot(self.group, parse_rate(rate)[1], value, self.method)
            return fixed_window_slot(self.group, rate, value, self.method)
        problem = self.problem(limit)
        if problem is not None:
            raise ImproperlyConfigured(f"limit {self.group!r}: {problem}")
        burst = limit if self.burst is None else min(self.burst, limit)
        period = parse_rate(rate)[1]
        return rolling_slot(self.algorithm, self.group, period, value, self.method, burst)

    def applies_to(self, request: Any) -> bool:
        if not ratelimit_setting("RATELIMIT_ENABLE", True):
            return False
        return self.method is ALL or bool(ratelimit_core._method_match(request, self.method))

    def count(self, request: Any) -> Usage | None:
        """Count ``request``; ``None`` when the policy does not apply or the cache failed open."""
        counted = self._count(request)
        return None if counted is None else counted[0]

    def _count(self, request: Any) -> tuple[Usage, str] | None:
        """The usage, and the key value it was counted under."""
        counting = self._counting(request)
        if counting is None:
            return None
        counted: tuple[int, float | None] | None = counting.refusal
        if counted is None:
            try:
                counted = counter_store().count(counting.slot, counting.limit)
            except CounterUnavailable:
                self.counter_unavailable()
                return None
        return self._record(request, counting, counted)

    async def _acount(self, request: Any) -> tuple[Usage, str] | None:
        """``_count`` for an async view, awaiting the store on the event loop."""
        user = None
        if self.key in USER_KEYS and self.applies_to(request):
            user = await request.auser()
        counting = self._counting(request, user)
        if counting is None:
            return None
        counted: tuple[int, float | None] | None = counting.refusal
        if counted is None:
            try:
                counted = await async_counter_store().count(counting.slot, counting.limit)
            except CounterUnavailable:
                self.counter_unavailable()
                return None
        return self._record(request, counting, counted)

    def _counting(self, request: Any, user: Any = None) -> Counting | None:
        if not self.applies_to(request):
            return None
        now = time.time()
        value = resolve_key(self.key, self.group, request, user)
        found = self.slot(value, request, now)
        if found is None:
            return None
        limit, slot = found
        remember = (
            self.remembers_refusals and not self.shadow and get_settings().LIMITS_REMEMBER_REFUSALS
        )
        refusal = remembered_refusal(slot, now) if remember else None
        return Counting(value, limit, slot, remember, refusal)

    def _record(
        self, request: Any, counting: Counting, counted: tuple[int, float | None]
    ) -> tuple[Usage, str]:
        count, resets_at = counted
        limit, slot, remembered = counting.limit, counting.slot, counting.refusal is not None
        if count > limit and counting.remember and not remembered:
            remember_refusal(slot.cache_key, count, resets_at)
        usage = Usage(self.group, limit, count, resets_at, slot.window_seconds, remembered)
        remember_usage(request, usage)
        return usage, counting.value

    def counter_unavailable(self) -> None:
        """Fail open (admit) or closed (503), as configured; a shadow policy always admits.
        The store logs the outage once, so neither adds a record or a traceback of its own."""
        if self.shadow or fail_open():
            return None
        raise self.unavailable()

    def unavailable(self) -> APIError:
        """The 503 of a store outage when failing closed, naming this policy."""
        return ServiceUnavailable(
            retry_after=get_settings().DEFAULT_RETRY_AFTER,
            alert=False,
            violated_policies=(self.group,),
        )

    def refusal(
        self, retry_after: int | None = None, headers: dict[str, str] | None = None
    ) -> APIError:
        """This policy's error, naming it (the OpenAPI schema documents it as such)."""
        return self.error_class(
            retry_after=retry_after, headers=headers, violated_policies=(self.group,)
        )

    def error(self, usage: Usage) -> APIError:
        """The error for a request past the limit, with ``Retry-After`` and rate-limit fields."""
        retry_after = usage.reset_seconds()
        headers = rate_limit_headers([usage]) if get_settings().RATE_LIMIT_HEADERS else {}
        error = self.refusal(retry_after, headers)
        if usage.remembered:
            # The store's refusal of this window was logged; its repeats go to DEBUG.
            error.log_level = logging.DEBUG
        return error

    def enforce(self, request: Any) -> Usage | None:
        return self._judge(self._count(request), request)

    async def aenforce(self, request: Any) -> Usage | None:
        """``enforce`` for an async view: on Redis it awaits the store on the event loop
        (``api_errors.limits.async_store``); otherwise it counts as ``enforce`` does, in a
        worker thread."""
        if self.awaits_store(request):
            return self._judge(await self._acount(request), request)
        return await sync_to_async(self.enforce, thread_sensitive=False)(request)

    def awaits_store(self, request: Any) -> bool:
        """Whether ``request`` counts on its event loop: ``LIMITS_AWAIT_STORE`` is on, it
        came through Django's ASGI handler (under WSGI an async view runs on an event loop
        made for that one request, which no connection pool would outlive), nothing of
        yours is called, a user key can await ``request.auser()`` (Django 5.0+), and
        redis.asyncio reaches the store."""
        return (
            get_settings().LIMITS_AWAIT_STORE
            and isinstance(request, ASGIRequest)
            and self.reads_only_the_request()
            and (self.key not in USER_KEYS or hasattr(request, "auser"))
            and async_counter_store().awaitable()
        )

    def _judge(self, counted: tuple[Usage, str] | None, request: Any) -> Usage | None:
        if counted is None:
            return None
        usage, value = counted
        if usage.exceeded:
            if not self.shadow:
                raise self.error(usage)
            report_shadow_refusal(self, usage, value, request)
        return usage


def report_shadow_refusal(policy: Policy, usage: Usage, value: str, request: Any) -> None:
    """One record where the refusal would have been, at its level. The key is logged as a
    digest: it may be a credential (``key="header:x-api-key"``)."""
    level = client_error_level(get_settings())
    if not logger.isEnabledFor(level):
        return
    fields = request_fields(request, get_correlation_id())
    group, key = log_safe(policy.group), key_digest(value)
    logger.log(
        level,
        "%s %s -> would have refused (shadow): policy=%s key_digest=%s count=%s limit=%s "
        "correlation_id=%s",
        fields["method"],
        fields["path"],
        group,
        key,
        usage.count,
        usage.limit,
        fields["correlation_id"],
        extra={
            "policy": group,
            "key_digest": key,
            "algorithm": policy.algorithm,
            "count": usage.count,
            "limit": usage.limit,
            "shadow": True,
            **fields,
        },
    )


def key_digest(value: str) -> str:
    """A limit key as logs may show it: the same key gives the same digest, which support can
    compute from a client's key, and no credential is written down."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class RateLimitPolicy(Policy):
    """``rate`` requests per window ("5/10s", "100/m"), counted as ``algorithm`` says: 429."""

    rate: Rate = "60/m"
    # A window's count only grows, and a log or a cell frees nothing before the time it
    # gave: once past the limit, it refuses until then.
    remembers_refusals: ClassVar[bool] = True

    def __post_init__(self) -> None:
        # A literal rate is checked where it is written; a callable's, when it answers.
        if isinstance(self.rate, str):
            parse_rate(self.rate)

    def reads_only_the_request(self) -> bool:
        return is_builtin_key(self.key) and not callable(self.rate)

    def slot(self, value: str, request: Any, now: float) -> tuple[int, Slot] | None:
        rate = self.rate(self.group, request) if callable(self.rate) else self.rate
        # No rate (a scope without a configured rate, or a callable saying so): not limited.
        if rate is None:
            return None
        limit = parse_rate(rate)[0]
        return limit, self.counted_slot(value, limit, rate)

    def literal_limit(self) -> int | None:
        return parse_rate(self.rate)[0] if isinstance(self.rate, str) else None


@dataclass(frozen=True)
class QuotaPolicy(Policy):
    """``limit`` calls per calendar month, per fixed period ("30d") or in total: 403. Only
    a fixed period can be counted by a sliding log or GCRA."""

    limit: int | Callable[[str, Any], int | None] = 0
    period: str = MONTH
    error_class: type[APIError] = QuotaExceeded

    def __post_init__(self) -> None:
        if self.period not in (MONTH, TOTAL):
            parse_rate(f"1/{self.period}")
        if isinstance(self.limit, int) and self.limit < 0:
            raise ImproperlyConfigured(f"quota {self.group!r}: the limit cannot be negative")

    @property
    def calendar(self) -> bool:
        return self.period in (MONTH, TOTAL)

    def slot(self, value: str, request: Any, now: float) -> tuple[int, Slot] | None:
        limit = self.limit(self.group, request) if callable(self.limit) else self.limit
        if limit is None:
            return None
        return limit, self.window(value, limit, now)

    def literal_limit(self) -> int | None:
        return None if callable(self.limit) else self.limit

    def reads_only_the_request(self) -> bool:
        return is_builtin_key(self.key) and not callable(self.limit)

    def window(self, value: str, limit: int, now: float) -> Slot:
        """The counter of ``value`` at ``now``; its key depends on ``limit`` only for fixed
        windows of a fixed period on the app's clock (as django-ratelimit's do), so a plan
        change keeps a month's calls."""
        if not self.calendar:
            return self.counted_slot(value, limit, f"{limit}/{self.period}")
        problem = self.problem(limit)
        if problem is not None:
            raise ImproperlyConfigured(f"quota {self.group!r}: {problem}")
        if self.period == MONTH:
            if windows_on_store_clock():
                return store_month_slot(self.group, value, now)
            return calendar_month_slot(self.group, value, now)
        return total_slot(self.group, value)

    def reset(self, value: str, limit: int = 0) -> None:
        """Forget ``value``'s calls in the current window (``limit`` matters for fixed periods)."""
        limits_cache().delete(self.window(value, limit, time.time()).cache_key)


def platform_quota(group: str, limit: int, period: str = MONTH) -> QuotaPolicy:
    """One quota for all clients together: ``TotalLimitExceeded`` (67200001) past it."""
    return QuotaPolicy(
        group=group,
        key=lambda _group, _request: "platform",
        limit=limit,
        period=period,
        error_class=TotalLimitExceeded,
    )


# Refusals until a slot frees, by counter: a flood from a client over its rate is
# answered in-process, without a round trip to the store. Per process, and bounded.
_refusals: dict[str, tuple[int, float]] = {}
REFUSALS_MAX = 10_000


def remembered_refusal(slot: Slot, now: float) -> tuple[int, float] | None:
    """The count a refused counter was left at and when a slot frees, until then."""
    refused = _refusals.get(slot.cache_key)
    if refused is None:
        return None
    if now >= refused[1]:
        _refusals.pop(slot.cache_key, None)
        return None
    return refused


def remember_refusal(cache_key: str, count: int, resets_at: float | None) -> None:
    if resets_at is None:
        return
    if len(_refusals) >= REFUSALS_MAX:
        now = time.time()
        for key in [key for key, (_count, until) in _refusals.items() if until <= now]:
            del _refusals[key]
        if len(_refusals) >= REFUSALS_MAX:
            _refusals.clear()
    _refusals[cache_key] = (count, resets_at)


def forget_refusals() -> None:
    """Drop every remembered refusal (when the counters themselves are reset)."""
    _refusals.clear()


def remember_usage(request: Any, usage: Usage) -> None:
    # Through __dict__: a missing attribute would raise and catch an AttributeError.
    django_request = request.__dict__.get("_request", request)
    usages = django_request.__dict__.setdefault(USAGE_ATTRIBUTE, [])
    usages.append(usage)
