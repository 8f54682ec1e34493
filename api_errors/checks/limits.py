"""Checks of the limits: their settings, the cache they count in, the balance hook.

The URLconf is scanned for views that declare limits or charges, so a warning names a
real view and a project without limits is not told about caches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage

from api_errors.checks.base import checked_settings, is_positive_number, message
from api_errors.conf import (
    MIDDLEWARE_PATH,
    SETTING_NAME,
    APIErrorsSettings,
    SettingError,
    middleware_installed,
)
from api_errors.limits.algorithms import SLIDING_LIMIT_MAX, size_problem
from api_errors.limits.balance import resolve_balance_hook
from api_errors.limits.counters import CLOCKS, CONCURRENCY, GCRA, SLIDING, STORE_CLOCK
from api_errors.limits.inventory import default_policy_throttles, url_inventory
from api_errors.limits.policies import Policy

# Caches whose counts are per process or not atomic: limits would admit too much.
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps counts per process",
    "django.core.cache.backends.dummy.DummyCache": "keeps no counts",
    "django.core.cache.backends.filebased.FileBasedCache": "has no atomic increment",
    "django.core.cache.backends.db.DatabaseCache": "has no atomic increment",
}


def check_limits(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Limits count in the cache: one that is not shared and atomic lets every process admit
    the full limit. Charges need a hook to charge through."""
    # An API_ERRORS that is not a dict (api_errors.E001) counts as empty, as at run time.
    conf = checked_settings() or APIErrorsSettings({})
    messages = [
        *_check_balance_hook(conf),
        *_check_fail_open(conf),
        *_check_store(conf),
        *_check_clock(conf),
    ]
    inventory = url_inventory()
    if inventory.charging_views and conf.BALANCE_HOOK is None:
        messages.append(
            message(
                "E022",
                f"charge_balance is used ({', '.join(inventory.charging_views[:3])}) "
                f"but {SETTING_NAME}['BALANCE_HOOK'] is not set.",
                "Name the BalanceHook subclass that charges your clients.",
            )
        )
    # A default throttle's policy, as any view without throttles of its own would count it.
    defaults = [
        ("DEFAULT_THROTTLE_CLASSES", throttle().policy(None))
        for throttle in default_policy_throttles()
    ]
    policies = [*inventory.policies, *defaults]
    if policies:
        messages += _check_limits_cache(policies)
    messages += _check_algorithms(policies)
    messages += _check_lease_throttles([*inventory.throttled, *defaults])
    return messages


def _check_balance_hook(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    hook = conf.BALANCE_HOOK
    if hook is None:
        return
    try:
        resolve_balance_hook(hook)
    except SettingError:
        yield message(
            "E020",
            f"{SETTING_NAME}['BALANCE_HOOK'] {hook!r} is not a BalanceHook subclass.",
            "Name a subclass of api_errors.limits.BalanceHook (or ModelBalance) by dotted path.",
        )


def _check_fail_open(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    fail_open = conf.user.get("LIMITS_FAIL_OPEN")
    if fail_open is not None and not isinstance(fail_open, bool):
        yield message(
            "E021",
            f"{SETTING_NAME}['LIMITS_FAIL_OPEN'] must be None, True or False.",
            "None follows django-ratelimit's RATELIMIT_FAIL_OPEN.",
        )


def _check_store(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    if not is_positive_number(conf.LIMITS_TIMEOUT):
        yield message(
            "E023",
            f"{SETTING_NAME}['LIMITS_TIMEOUT'] must be a positive number of seconds.",
            "For example 0.25: each call to the counter store gives up after it.",
        )
    if not is_positive_number(conf.LIMITS_RETRY_INTERVAL):
        yield message(
            "E024",
            f"{SETTING_NAME}['LIMITS_RETRY_INTERVAL'] must be a positive number of seconds.",
            "For example 5: how long a failed counter store is left alone.",
        )


def _check_clock(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    clock = conf.LIMITS_CLOCK
    if not isinstance(clock, str) or clock not in CLOCKS:
        yield message(
            "E047",
            f"{SETTING_NAME}['LIMITS_CLOCK'] is {clock!r}.",
            f"Use one of {', '.join(repr(name) for name in CLOCKS)}: whose clock fixed "
            "windows follow.",
        )
    elif clock == STORE_CLOCK:
        alias, backend = limits_backend()
        if not is_redis(backend):
            yield message(
                "W008",
                f"{SETTING_NAME}['LIMITS_CLOCK'] is 'store', but limits count in cache "
                f"{alias!r} ({backend}), which has no clock to read: fixed windows follow "
                "each server's clock.",
                "Count limits in Redis (Django's RedisCache or django-redis), or set "
                "LIMITS_CLOCK to 'app'.",
            )


def limits_backend() -> tuple[str, str]:
    """The alias and backend of the cache limits count in (``RATELIMIT_USE_CACHE``)."""
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    return alias, getattr(settings, "CACHES", {}).get(alias, {}).get("BACKEND", "")


def _check_limits_cache(policies: list[tuple[str, Policy]]) -> list[CheckMessage]:
    alias, backend = limits_backend()
    reason = UNSHARED_CACHES.get(backend)
    if reason is not None:
        return [
            message(
                "W003",
                f"Rate limits, quotas and concurrency limits count in cache {alias!r} "
                f"({backend}), which {reason}.",
                "Use a shared cache with atomic increments, such as Django's RedisCache, "
                "when more than one process serves requests.",
            )
        ]
    if is_redis(backend):
        return []
    found = []
    rolling = [group_of(view, p) for view, p in policies if p.algorithm in (SLIDING, GCRA)]
    if rolling:
        found.append(
            message(
                "W005",
                f"Sliding or GCRA limits ({', '.join(rolling[:3])}) count in cache {alias!r} "
                f"({backend}), which runs no scripts: they are exact within one process only.",
                "Count them in Redis (Django's RedisCache or django-redis), or use fixed "
                "windows, which this cache increments atomically.",
            )
        )
    leasing = [group_of(view, p) for view, p in policies if p.algorithm == CONCURRENCY]
    if leasing:
        found.append(
            message(
                "W007",
                f"Concurrency limits ({', '.join(leasing[:3])}) count in cache {alias!r} "
                f"({backend}), which runs no scripts: each process may admit up to the limit.",
                "Count them in Redis (Django's RedisCache or django-redis).",
            )
        )
    return found


def _check_lease_throttles(throttled: list[tuple[str, Policy]]) -> Iterator[CheckMessage]:
    """A throttle's concurrency limit gets its places back from the middleware only."""
    leasing = [group_of(view, policy) for view, policy in throttled if policy.holds_leases]
    if leasing and not middleware_installed():
        yield message(
            "E043",
            f"ConcurrencyThrottle ({', '.join(leasing[:3])}) is used but {MIDDLEWARE_PATH} is "
            "not in MIDDLEWARE: each request would hold its place until the lease expires.",
            f"Add {MIDDLEWARE_PATH} to MIDDLEWARE, or use the concurrency_limit decorator.",
        )


def is_redis(backend: str) -> bool:
    """Django's ``RedisCache`` or django-redis: the stores that run the limits' scripts."""
    return backend == "django.core.cache.backends.redis.RedisCache" or backend.startswith(
        "django_redis."
    )


def group_of(view: str, policy: Policy) -> str:
    return f"{policy.group!r} on {view!r}"


def _check_algorithms(policies: list[tuple[str, Policy]]) -> Iterator[CheckMessage]:
    """Algorithms the limits cannot use, and limits too large for their algorithm; a limit
    from a callable is checked when it answers."""
    for view, policy in policies:
        problem = policy.algorithm_problem()
        if problem is not None:
            yield message(
                "E037",
                f"Limit {group_of(view, policy)}: {problem}.",
                "Give algorithm='fixed', 'sliding' or 'gcra'; a calendar-month or total "
                "quota counts with 'fixed'.",
            )
            continue
        limit = policy.literal_limit()
        problem = None if limit is None else size_problem(policy.algorithm, limit, policy.burst)
        if problem is not None:
            yield message(
                "E038",
                f"Limit {group_of(view, policy)}: {problem}.",
                f"A sliding log holds at most {SLIDING_LIMIT_MAX:,} entries; a GCRA burst is "
                "between 1 and the limit, and other algorithms take none.",
            )
