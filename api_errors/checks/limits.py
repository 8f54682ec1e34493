"""Checks of the limits: their settings, the cache they count in, the balance hook.

The URLconf is scanned for views that declare limits or charges, so a warning names a
real view and a project without limits is not told about caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from api_errors.checks.base import checked_settings, is_positive_number, message
from api_errors.conf import SETTING_NAME, APIErrorsSettings, SettingError
from api_errors.declarations import CHARGES_ATTRIBUTE, LIMITS_ATTRIBUTE, declarations_of
from api_errors.limits.balance import resolve_balance_hook
from api_errors.limits.throttling import PolicyThrottle

HANDLER_NAMES = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
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
    messages = [*_check_balance_hook(conf), *_check_fail_open(conf), *_check_store(conf)]
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
    if inventory.limited_views or default_throttles_limit():
        messages += _check_limits_cache()
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


def _check_limits_cache() -> list[CheckMessage]:
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = getattr(settings, "CACHES", {}).get(alias, {}).get("BACKEND", "")
    reason = UNSHARED_CACHES.get(backend)
    if reason is None:
        return []
    return [
        message(
            "W003",
            f"Rate limits and quotas count in cache {alias!r} ({backend}), which {reason}.",
            "Use a shared cache with atomic increments, such as Django's RedisCache, "
            "when more than one process serves requests.",
        )
    ]


@dataclass
class Inventory:
    """What the views reachable from the URLconf declare."""

    limited_views: list[str] = field(default_factory=list)
    charging_views: list[str] = field(default_factory=list)


def _callables_of(callback: Any) -> Iterator[Any]:
    """The view function, and for class-based views the class and what answers requests:
    its HTTP method handlers, or a ViewSet route's actions."""
    yield callback
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        yield view_class
        actions = getattr(callback, "actions", None) or {}
        for name in (*HANDLER_NAMES, *actions.values()):
            handler = getattr(view_class, name, None)
            if handler is not None:
                yield handler


def _declares(parts: list[Any], attribute: str) -> bool:
    return any(
        getattr(part, attribute, None)
        if isinstance(part, type)
        else declarations_of(part, attribute)
        for part in parts
    )


def _throttles_limit(view_class: Any) -> bool:
    throttles = getattr(view_class, "throttle_classes", None) or []
    return any(isinstance(t, type) and issubclass(t, PolicyThrottle) for t in throttles)


def _patterns(patterns: Iterable[Any]) -> Iterator[URLPattern]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def url_inventory() -> Inventory:
    """Scan the URLconf; a URLconf that does not load is left to Django's own checks."""
    inventory = Inventory()
    try:
        patterns = list(_patterns(get_resolver().url_patterns))
    except Exception:
        return inventory
    for pattern in patterns:
        name = str(pattern.pattern)
        parts = list(_callables_of(pattern.callback))
        if _declares(parts, LIMITS_ATTRIBUTE) or any(
            _throttles_limit(part) for part in parts if isinstance(part, type)
        ):
            inventory.limited_views.append(name)
        if _declares(parts, CHARGES_ATTRIBUTE):
            inventory.charging_views.append(name)
    return inventory


def default_throttles_limit() -> bool:
    """Whether ``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]`` holds one of the policy throttles."""
    for path in (getattr(settings, "REST_FRAMEWORK", None) or {}).get(
        "DEFAULT_THROTTLE_CLASSES", []
    ):
        try:
            throttle = import_string(path) if isinstance(path, str) else path
        except ImportError:
            continue
        if isinstance(throttle, type) and issubclass(throttle, PolicyThrottle):
            return True
    return False
