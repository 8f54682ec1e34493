"""Rate limits (429), quotas (403), concurrency limits (429) and prepaid balances (402) on
atomic counters."""

from __future__ import annotations

from api_errors.limits.balance import BalanceHook, ModelBalance, charge, refund
from api_errors.limits.concurrency import ConcurrencyPolicy
from api_errors.limits.counters import Usage
from api_errors.limits.decorators import (
    charge_balance,
    concurrency_limit,
    enforce,
    quota,
    rate_limit,
)
from api_errors.limits.policies import (
    Policy,
    QuotaPolicy,
    RateLimitPolicy,
    forget_refusals,
    platform_quota,
)
from api_errors.limits.throttling import ConcurrencyThrottle, QuotaThrottle, RateLimitThrottle

__all__ = [
    "BalanceHook",
    "ConcurrencyPolicy",
    "ConcurrencyThrottle",
    "ModelBalance",
    "Policy",
    "QuotaPolicy",
    "QuotaThrottle",
    "RateLimitPolicy",
    "RateLimitThrottle",
    "Usage",
    "charge",
    "charge_balance",
    "concurrency_limit",
    "enforce",
    "forget_refusals",
    "platform_quota",
    "quota",
    "rate_limit",
    "refund",
]
