"""What a view declares it can raise, limit or charge: read by the schema and the checks.

Declarations sit on a view class or on the function that answers a request: an APIView's
``get``, a ViewSet's action, or the function under DRF's ``@api_view``. The decorators
work in either order around ``@action`` and ``@api_view``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from types import CodeType, FunctionType, MethodType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from api_errors.exceptions import APIError

RAISES_ATTRIBUTE = "api_errors_raises"
LIMITS_ATTRIBUTE = "api_errors_limits"
CHARGES_ATTRIBUTE = "api_errors_charges"

Target = TypeVar("Target")


def declare(target: Any, attribute: str, items: Iterable[Any]) -> None:
    """Append to a declaration list without mutating one copied by ``functools.wraps``.

    On a view function made by ``as_view()`` (``@raises`` above ``@api_view``), the view
    class gets the declaration, since that is what the schema and the checks see.
    """
    items = list(items)
    setattr(target, attribute, [*getattr(target, attribute, []), *items])
    view_class = getattr(target, "cls", None) or getattr(target, "view_class", None)
    if isinstance(view_class, type):
        setattr(view_class, attribute, [*view_class.__dict__.get(attribute, []), *items])


def handler_for(view: Any, method: str) -> Any:
    """What answers ``method`` on ``view``: a ViewSet's action, else the method's handler."""
    action = getattr(view, "action", None)
    if isinstance(action, str):
        return getattr(view, action, None)
    return getattr(view, method.lower(), None)


def functions_of(handler: Any) -> Iterator[Any]:
    """``handler`` and what it calls on behalf of a decorator: the ``__wrapped__`` chain,
    and the function DRF's ``@api_view`` handler closes over."""
    seen: set[int] = set()
    pending = [handler]
    while pending:
        current = pending.pop()
        if isinstance(current, MethodType):
            current = current.__func__
        if not isinstance(current, FunctionType) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.append(getattr(current, "__wrapped__", None))
        for cell in getattr(current, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            # method_decorator keeps its decorators in a list.
            pending.extend(contents if isinstance(contents, list | tuple) else [contents])


def declarations_of(handler: Any, attribute: str) -> list[Any]:
    """The declarations on ``handler``, or on the function it answers with."""
    for function in functions_of(handler):
        found = getattr(function, attribute, None)
        if found:
            # functools.wraps copied the inner lists here: the outermost holds them all.
            return list(found)
    return []


def declared(view: Any, method: str, attribute: str) -> list[Any]:
    """Declarations on the view class and on what answers ``method``."""
    return [
        *getattr(type(view), attribute, []),
        *declarations_of(handler_for(view, method), attribute),
    ]


@cache
def _ratelimit_codes() -> frozenset[CodeType]:
    """The code of ``@ratelimit``'s decorator and of the wrapper it makes."""
    from django_ratelimit.decorators import ratelimit

    decorator: Any = ratelimit(key="ip", rate="1/s")
    return frozenset({decorator.__code__, decorator(lambda request: None).__code__})


def uses_django_ratelimit(handler: Any) -> bool:
    """Whether django-ratelimit's ``@ratelimit`` guards ``handler`` (``method_decorator``
    included), so it can answer 429."""
    codes = _ratelimit_codes()
    return any(function.__code__ in codes for function in functions_of(handler))


def raises(*exception_classes: type[APIError]) -> Callable[[Target], Target]:
    """Document the typed exceptions a view method, action, function view or view class
    raises: ``@raises(Conflict, StateNotReady)`` adds their envelopes to the schema."""

    def decorator(target: Target) -> Target:
        declare(target, RAISES_ATTRIBUTE, exception_classes)
        return target

    return decorator
