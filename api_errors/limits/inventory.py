"""What the views of the URLconf declare: limits and charges, for the checks and the page.

A view declares them by decorator (on a function, a DRF method or action) or by a
``PolicyThrottle`` among its ``throttle_classes`` (which DRF views inherit from
``DEFAULT_THROTTLE_CLASSES`` unless they set their own).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from api_errors.declarations import CHARGES_ATTRIBUTE, LIMITS_ATTRIBUTE, declarations_of
from api_errors.limits.policies import Policy
from api_errors.limits.throttling import PolicyThrottle

HANDLER_NAMES = ("get", "post", "put", "patch", "delete", "head", "options", "trace")


@dataclass
class Inventory:
    """What the views reachable from the URLconf declare."""

    limited_views: list[str] = field(default_factory=list)
    charging_views: list[str] = field(default_factory=list)
    # Each policy once, with the first view that declares it.
    policies: list[tuple[str, Policy]] = field(default_factory=list)
    # The policies of throttle classes among them, which only the middleware sees finish.
    throttled: list[tuple[str, Policy]] = field(default_factory=list)

    def add_policy(self, view: str, policy: Policy) -> None:
        if all(known != policy for _view, known in self.policies):
            self.policies.append((view, policy))


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


def _declared(parts: list[Any], attribute: str) -> list[Any]:
    found: list[Any] = []
    for part in parts:
        if isinstance(part, type):
            found += getattr(part, attribute, None) or []
        else:
            found += declarations_of(part, attribute)
    return found


def _throttle_policies(view_class: type) -> Iterator[Policy]:
    for throttle in getattr(view_class, "throttle_classes", None) or []:
        if isinstance(throttle, type) and issubclass(throttle, PolicyThrottle):
            yield throttle().policy(view_class)


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
        policies: list[Policy] = _declared(parts, LIMITS_ATTRIBUTE)
        for part in parts:
            if isinstance(part, type):
                throttled = list(_throttle_policies(part))
                inventory.throttled += [(name, policy) for policy in throttled]
                policies += throttled
        if policies:
            inventory.limited_views.append(name)
        for policy in policies:
            inventory.add_policy(name, policy)
        if _declared(parts, CHARGES_ATTRIBUTE):
            inventory.charging_views.append(name)
    return inventory


def default_policy_throttles() -> list[type[PolicyThrottle]]:
    """The policy throttles of ``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``."""
    found = []
    for path in (getattr(settings, "REST_FRAMEWORK", None) or {}).get(
        "DEFAULT_THROTTLE_CLASSES", []
    ):
        try:
            throttle = import_string(path) if isinstance(path, str) else path
        except ImportError:
            continue
        if isinstance(throttle, type) and issubclass(throttle, PolicyThrottle):
            found.append(throttle)
    return found
