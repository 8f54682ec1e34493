"""Decorators for function views, DRF view methods and async views."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest
from django_ratelimit import ALL

from api_errors.active import get_catalog
from api_errors.catalog.types import Condition
from api_errors.conf import get_settings
from api_errors.conversion import to_api_error
from api_errors.declarations import CHARGES_ATTRIBUTE, LIMITS_ATTRIBUTE, declare
from api_errors.exceptions import InsufficientBalance
from api_errors.limits.balance import Amount, BalanceHook, balance_hook
from api_errors.limits.concurrency import LEASE_SECONDS, RETRY_AFTER, ConcurrencyPolicy, Limit
from api_errors.limits.counters import FIXED, MONTH
from api_errors.limits.leases import settle_leases
from api_errors.limits.policies import (
    Key,
    Policy,
    QuotaPolicy,
    Rate,
    RateLimitPolicy,
)

View = TypeVar("View", bound=Callable[..., Any])


def _request_of(args: tuple[Any, ...]) -> Any:
    """The request among a view's arguments: first for functions, second for methods."""
    first = args[0]
    if isinstance(first, HttpRequest) or hasattr(first, "_request"):
        return first
    return args[1]


Before = Callable[[Any], Any]
AsyncBefore = Callable[[Any], Awaitable[Any]]
After = Callable[[Any, Any, Any], None]


def _guard(
    view: View,
    before: Before,
    failed: After | None = None,
    finished: After | None = None,
    *,
    uses_database: bool,
    async_before: AsyncBefore | None = None,
) -> Any:
    """Wrap ``view``: ``before(request)`` gives a state; then ``failed(state, request, exc)``
    or ``finished(state, request, response)``. The steps are synchronous; for an async view
    ``async_before`` is awaited when given, and the others run in a worker thread, Django's
    thread-sensitive one when they use the database."""
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapped(*args: Any, **kwargs: Any) -> Any:
            request = _request_of(args)
            if async_before is not None:
                state = await async_before(request)
            else:
                state = await sync_to_async(before, thread_sensitive=uses_database)(request)
            try:
                response = await view(*args, **kwargs)
            except Exception as exc:
                if failed is not None:
                    await sync_to_async(failed, thread_sensitive=uses_database)(state, request, exc)
                raise
            if finished is not None:
                await sync_to_async(finished, thread_sensitive=uses_database)(
                    state, request, response
                )
            return response

        return async_wrapped

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        request = _request_of(args)
        state = before(request)
        try:
            response = view(*args, **kwargs)
        except Exception as exc:
            if failed is not None:
                failed(state, request, exc)
            raise
        if finished is not None:
            finished(state, request, response)
        return response

    return wrapped


def enforce(*policies: Policy) -> Callable[[View], View]:
    """Count the request against each policy, in order; past a limit, raise its error.

    On a DRF view method the request is counted after authentication, so ``key="user"``
    sees the token's user. An async view awaits the store (``Policy.aenforce``). A
    concurrency limit's place is given back when the view raises or its response is done
    (a streaming one when it is closed); its places are taken and given back in a worker
    thread, for an async view too.
    """

    def count(request: Any) -> None:
        for policy in policies:
            policy.enforce(request)

    async def acount(request: Any) -> None:
        for policy in policies:
            await policy.aenforce(request)

    def count_holding(request: Any) -> None:
        try:
            count(request)
        except BaseException:
            # A later policy refused: the places taken before are not used.
            settle_leases(request)
            raise

    def failed(_state: None, request: Any, _exc: BaseException) -> None:
        settle_leases(request)

    def finished(_state: None, request: Any, response: Any) -> None:
        settle_leases(request, response)

    def decorator(view: View) -> View:
        if any(policy.holds_leases for policy in policies):
            wrapped = _guard(view, count_holding, failed, finished, uses_database=False)
        else:
            wrapped = _guard(view, count, uses_database=False, async_before=acount)
        declare(wrapped, LIMITS_ATTRIBUTE, policies)
        return wrapped  # type: ignore[no-any-return]

    return decorator


def rate_limit(
    *,
    group: str,
    rate: Rate,
    key: Key = "user_or_ip",
    method: Any = ALL,
    algorithm: str = FIXED,
    burst: int | None = None,
    shadow: bool = False,
) -> Callable[[View], View]:
    """At most ``rate`` ("5/10s") requests per key and window, else 429 with ``Retry-After``.

    ``algorithm``: ``"fixed"`` (django-ratelimit's windows), ``"sliding"`` or ``"gcra"``
    (with ``burst``); ``shadow=True`` counts and logs but never refuses.
    """
    return enforce(
        RateLimitPolicy(
            group=group,
            key=key,
            method=method,
            rate=rate,
            algorithm=algorithm,
            burst=burst,
            shadow=shadow,
        )
    )


def quota(
    *,
    group: str,
    limit: int | Callable[[str, Any], int | None],
    period: str = MONTH,
    key: Key = "user_or_ip",
    method: Any = ALL,
    algorithm: str = FIXED,
    burst: int | None = None,
    shadow: bool = False,
) -> Callable[[View], View]:
    """At most ``limit`` calls per key each ``period`` ("month", "total", "30d"), else 403.
    A fixed period may count with ``algorithm="sliding"`` or ``"gcra"``."""
    return enforce(
        QuotaPolicy(
            group=group,
            key=key,
            method=method,
            limit=limit,
            period=period,
            algorithm=algorithm,
            burst=burst,
            shadow=shadow,
        )
    )


def concurrency_limit(
    *,
    group: str,
    limit: Limit,
    key: Key = "user_or_ip",
    method: Any = ALL,
    lease_seconds: float = LEASE_SECONDS,
    retry_after: int = RETRY_AFTER,
    shadow: bool = False,
) -> Callable[[View], View]:
    """At most ``limit`` requests per key in progress at once, else 429 with ``Retry-After``.

    A place held longer than ``lease_seconds`` (its worker died) frees by itself;
    ``shadow=True`` counts and logs but never refuses.
    """
    return enforce(
        ConcurrencyPolicy(
            group=group,
            key=key,
            method=method,
            limit=limit,
            lease_seconds=lease_seconds,
            retry_after=retry_after,
            shadow=shadow,
        )
    )


# Refusals by a limit inside the charge: the call was not served, so it is not paid for.
REFUNDED_CONDITIONS = frozenset(
    {
        Condition.RATE_LIMITED,
        Condition.QUOTA_EXCEEDED,
        Condition.TOTAL_LIMIT_EXCEEDED,
        Condition.INSUFFICIENT_BALANCE,
    }
)


def is_refundable(exc: BaseException) -> bool:
    """A server error or a limit's refusal; a client's own mistake (other 4xx) is paid for.
    The one conversion decides, as it does for the response."""
    error = to_api_error(exc, get_catalog(), get_settings())
    return error.is_server_error or error.condition in REFUNDED_CONDITIONS


def charge_balance(cost: Amount = 1) -> Callable[[View], View]:
    """Charge ``cost`` through ``BALANCE_HOOK`` before the view runs; 402 when the balance
    does not cover it. A server error (raised or returned) or a refusal by a limit inside
    refunds it: clients pay for their own mistakes (4xx), not for the server's."""

    def charge(request: Any) -> BalanceHook:
        hook = balance_hook()
        if not hook.charge(request, cost):
            raise InsufficientBalance()
        return hook

    def failed(hook: BalanceHook, request: Any, exc: BaseException) -> None:
        if is_refundable(exc):
            hook.refund(request, cost)

    def finished(hook: BalanceHook, request: Any, response: Any) -> None:
        if response.status_code >= 500:
            hook.refund(request, cost)

    def decorator(view: View) -> View:
        wrapped = _guard(view, charge, failed, finished, uses_database=True)
        declare(wrapped, CHARGES_ATTRIBUTE, [cost])
        return wrapped  # type: ignore[no-any-return]

    return decorator
