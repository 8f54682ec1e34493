"""What a view declares it can raise, limit or charge, read by the OpenAPI integration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from api_errors.exceptions import APIError

RAISES_ATTRIBUTE = "api_errors_raises"
LIMITS_ATTRIBUTE = "api_errors_limits"
CHARGES_ATTRIBUTE = "api_errors_charges"

Target = TypeVar("Target")


def declare(target: Any, attribute: str, items: Iterable[Any]) -> None:
    """Append to a declaration list without mutating one copied by ``functools.wraps``."""
    setattr(target, attribute, [*getattr(target, attribute, []), *items])


def declared(view: Any, method: str, attribute: str) -> list[Any]:
    """Declarations on the view class and on its handler for ``method``."""
    handler = getattr(view, method.lower(), None)
    return [*getattr(type(view), attribute, []), *getattr(handler, attribute, [])]


def raises(*exception_classes: type[APIError]) -> Callable[[Target], Target]:
    """Document the typed exceptions a view method or view class raises.

    ``@raises(Conflict, StateNotReady)`` adds their envelopes to the operation's schema.
    """

    def decorator(target: Target) -> Target:
        declare(target, RAISES_ATTRIBUTE, exception_classes)
        return target

    return decorator
