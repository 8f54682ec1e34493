"""The IETF ``RateLimit-Policy`` and ``RateLimit`` fields (httpapi ratelimit-headers draft)."""

from __future__ import annotations

from collections.abc import Iterable

from api_errors.limits.counters import Usage

POLICY_HEADER = "RateLimit-Policy"
STATE_HEADER = "RateLimit"
# The request attribute where policies leave their counts for the middleware.
USAGE_ATTRIBUTE = "api_errors_limits"


def _name(usage: Usage) -> str:
    # A structured-field string: quotes and backslashes escaped.
    escaped = usage.name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def rate_limit_headers(usages: Iterable[Usage]) -> dict[str, str]:
    """``"search";q=5;w=10`` and ``"search";r=0;t=7`` for each counter, comma-separated."""
    policies: list[str] = []
    states: list[str] = []
    for usage in usages:
        policy = f"{_name(usage)};q={usage.limit}"
        if usage.window_seconds is not None:
            policy += f";w={usage.window_seconds}"
        state = f"{_name(usage)};r={usage.remaining}"
        reset = usage.reset_seconds()
        if reset is not None:
            state += f";t={reset}"
        policies.append(policy)
        states.append(state)
    if not policies:
        return {}
    return {POLICY_HEADER: ", ".join(policies), STATE_HEADER: ", ".join(states)}
