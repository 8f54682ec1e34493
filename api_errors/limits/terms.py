"""What a limit promises its clients, in words: for the OpenAPI schema and the Error Handling
page, so both describe a policy as it counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api_errors.limits.concurrency import ConcurrencyPolicy
from api_errors.limits.counters import (
    CONCURRENCY,
    FIXED,
    GCRA,
    MONTH,
    SLIDING,
    TOTAL,
    parse_rate,
)
from api_errors.limits.headers import CONCURRENT_REQUESTS, policy_item, structured_string
from api_errors.limits.policies import Policy, QuotaPolicy, RateLimitPolicy

ALGORITHM_NAMES: dict[str, Promise] = {
    FIXED: _("fixed window"),
    SLIDING: _("sliding window"),
    GCRA: _("GCRA, a smooth rate"),
    CONCURRENCY: _("requests in progress"),
}
# How each algorithm counts, as a client can rely on it.
COUNTING: dict[str, Promise] = {
    FIXED: _("Fixed window: the count starts again when the window ends."),
    SLIDING: _(
        "Sliding window: never more than the limit in any span of the window's length; "
        "a place frees as soon as the oldest counted request is older than the window."
    ),
    GCRA: _(
        "Smooth rate (GCRA): requests are spaced evenly, one each window divided by the "
        "limit, with a short burst allowed at once."
    ),
    CONCURRENCY: _(
        "Concurrency: never more than the limit of requests in progress at once; a place "
        "frees as soon as one of them is answered."
    ),
}
SHADOW = _("Not enforced yet: counted and shown in the headers, never refused.")


@dataclass(frozen=True)
class Terms:
    """One policy's terms; ``limit`` and ``window`` are ``None`` when a callable sets them
    per request (and ``window`` for a calendar month or a total)."""

    name: str
    limit: int | None
    window: int | None
    period: str | None  # MONTH or TOTAL for such quotas
    algorithm: str
    burst: int | None
    shadow: bool

    def allowance(self) -> str:
        """ "5 per 10 s", "10000 per calendar month (UTC)", "set per client"..."""
        if self.limit is None:
            return gettext("set per client")
        if self.algorithm == CONCURRENCY:
            return gettext("%(limit)s at once") % {"limit": self.limit}
        if self.period == MONTH:
            text = gettext("%(limit)s per calendar month (UTC)") % {"limit": self.limit}
        elif self.period == TOTAL:
            text = gettext("%(limit)s in total") % {"limit": self.limit}
        else:
            text = gettext("%(limit)s per %(window)s") % {
                "limit": self.limit,
                "window": duration(self.window or 0),
            }
        if self.algorithm == GCRA:
            burst = self.limit if self.burst is None else self.burst
            text = gettext("%(allowance)s, up to %(burst)s at once") % {
                "allowance": text,
                "burst": burst,
            }
        return text

    def counting(self) -> str:
        text = str(COUNTING.get(self.algorithm, self.algorithm))
        return f"{text} {SHADOW}" if self.shadow else text

    def field_item(self) -> str:
        """As ``RateLimit-Policy`` names it (``"search";q=5;w=10``), with how it counts."""
        name = str(ALGORITHM_NAMES.get(self.algorithm, self.algorithm))
        if self.limit is None:
            return f"{structured_string(self.name)} ({name}, set per client)"
        unit = CONCURRENT_REQUESTS if self.algorithm == CONCURRENCY else None
        return f"{policy_item(self.name, self.limit, self.window, unit)} ({name})"


# The units a window is shown in, largest first.
UNITS: tuple[tuple[int, Promise], ...] = (
    (86400, _("%(count)s d")),
    (3600, _("%(count)s h")),
    (60, _("%(count)s min")),
)


def duration(seconds: int) -> str:
    """``seconds`` in the largest unit that divides it: "30 d", "1 h", "10 s"."""
    for size, unit in UNITS:
        if seconds >= size and seconds % size == 0:
            return str(unit) % {"count": seconds // size}
    return gettext("%(count)s s") % {"count": seconds}


def terms_of(policy: Policy) -> Terms:
    limit, window, period = None, None, None
    if isinstance(policy, RateLimitPolicy) and isinstance(policy.rate, str):
        limit, window = parse_rate(policy.rate)
    elif isinstance(policy, ConcurrencyPolicy):
        limit = policy.literal_limit()
    elif isinstance(policy, QuotaPolicy):
        limit = policy.literal_limit()
        if policy.calendar:
            period = policy.period
        elif limit is not None:
            window = parse_rate(f"{limit}/{policy.period}")[1]
    return Terms(
        name=policy.group,
        limit=limit,
        window=window,
        period=period,
        algorithm=policy.algorithm,
        burst=policy.burst,
        shadow=policy.shadow,
    )
