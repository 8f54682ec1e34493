"""The IETF ``RateLimit-Policy`` and ``RateLimit`` fields (httpapi ratelimit-headers draft)."""

from __future__ import annotations

from collections.abc import Iterable

from api_errors.limits.counters import Usage

POLICY_HEADER = "RateLimit-Policy"
STATE_HEADER = "RateLimit"
# The request attribute where policies leave their counts for the middleware.
USAGE_ATTRIBUTE = "api_errors_limits"
# The draft's quota unit (``qu``) of a concurrency limit; others count "requests", the default.
CONCURRENT_REQUESTS = "concurrent-requests"


def structured_string(name: str) -> str:
    """``name`` as a structured-field string: quoted, quotes and backslashes escaped."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def policy_item(name: str, limit: int, window_seconds: int | None, unit: str | None = None) -> str:
    """One limit in ``RateLimit-Policy``: ``"search";q=5;w=10``, or
    ``"uploads";q=2;qu="concurrent-requests"``."""
    item = f"{structured_string(name)};q={limit}"
    if unit is not None:
        item += f";qu={structured_string(unit)}"
    return item if window_seconds is None else f"{item};w={window_seconds}"


def rate_limit_headers(usages: Iterable[Usage]) -> dict[str, str]:
    """``"search";q=5;w=10`` and ``"search";r=0;t=7`` for each counter, comma-separated.

    Requests in progress have no ``t``: a place frees when one of them finishes, which no
    clock can promise."""
    policies: list[str] = []
    states: list[str] = []
    for usage in usages:
        policy = policy_item(usage.name, usage.limit, usage.window_seconds, usage.unit)
        state = f"{structured_string(usage.name)};r={usage.remaining}"
        reset = usage.reset_seconds() if usage.unit is None else None
        if reset is not None:
            state += f";t={reset}"
        policies.append(policy)
        states.append(state)
    if not policies:
        return {}
    return {POLICY_HEADER: ", ".join(policies), STATE_HEADER: ", ".join(states)}
