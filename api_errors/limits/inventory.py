"""Which limits and charges the URLconf's views declare, for the system checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from api_errors.declarations import CHARGES_ATTRIBUTE, LIMITS_ATTRIBUTE

HANDLER_NAMES = ("get", "post", "put", "patch", "delete", "head", "options", "trace")


@dataclass
class Inventory:
    """What the views reachable from the URLconf declare."""

    limited_views: list[str] = field(default_factory=list)
    charging_views: list[str] = field(default_factory=list)


def _callables_of(callback: Any) -> Iterator[Any]:
    """The view function, and for class-based views the class and its handlers."""
    yield callback
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        yield view_class
        for name in HANDLER_NAMES:
            handler = getattr(view_class, name, None)
            if handler is not None:
                yield handler


def _throttles_limit(view_class: Any) -> bool:
    from api_errors.limits.throttling import PolicyThrottle

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
        if any(getattr(part, LIMITS_ATTRIBUTE, None) for part in parts) or any(
            _throttles_limit(part) for part in parts if isinstance(part, type)
        ):
            inventory.limited_views.append(name)
        if any(getattr(part, CHARGES_ATTRIBUTE, None) for part in parts):
            inventory.charging_views.append(name)
    return inventory


def default_throttles_limit() -> bool:
    """Whether ``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]`` holds one of the policy throttles."""
    from django.conf import settings

    from api_errors.limits.throttling import PolicyThrottle

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
