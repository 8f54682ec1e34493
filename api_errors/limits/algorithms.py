"""How a limit counts, beyond django-ratelimit's fixed windows: a sliding log, GCRA, and the
leases of a concurrency limit.

- ``fixed`` (``counters.fixed_window_slot``): one counter per window, shared with
  ``@ratelimit``. Around a window's end up to twice the limit can pass in one period.
- ``sliding``: a log of the admitted requests' times, trimmed to the last ``period``:
  at most ``limit`` requests in any interval of ``period`` seconds. A refused request is
  not logged, so the log holds at most ``limit`` entries (``SLIDING_LIMIT_MAX`` bounds it).
- ``gcra``: the generic cell rate algorithm. One value per key, the theoretical arrival
  time: one request each ``period / limit`` seconds, up to ``burst`` at once, so at most
  ``limit + burst - 1`` in any interval of ``period`` seconds.
- leases (``LeaseSet``): a concurrency limit's requests in progress, one lease id each,
  scored by when it expires, so a worker that dies holding one frees it by itself.

On Redis each is one script, one round trip, reading the server's clock (``TIME``): the
order Redis runs the scripts in is the order of their times, whichever worker or machine
sent them, which is what makes the count exact. Each script touches one key, whose hash
tag keeps it in one Redis Cluster slot. On other caches the same steps run under a lock of
the process, on its own clock: exact among its threads, not between processes.

With ``LIMITS_CLOCK = "store"``, a fixed window (or a calendar month) on Redis is a script
too (``StoreClockWindow``): the window is derived from ``TIME``, not from the app server's
clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, cast

from django.core.cache import BaseCache

from api_errors.limits.counters import (
    ALGORITHMS,
    EXPIRATION_FUDGE,
    FIXED,
    GCRA,
    MONTH,
    SLIDING,
    TOTAL,
    Slot,
    StoreWindow,
)

# A sliding log keeps one entry per admitted request; above this, use GCRA or fixed windows.
SLIDING_LIMIT_MAX = 10_000
MICROSECONDS = 1_000_000


@dataclass(frozen=True)
class Verdict:
    """What a sliding log or a GCRA cell answered for one request."""

    # The requests counted, this one included: ``limit - remaining``, past the limit if refused.
    count: int
    # Seconds until a slot frees, by the store's clock: the oldest logged request leaves
    # the window, or the next request conforms.
    wait: float


def algorithm_problem(algorithm: object, *, calendar: bool) -> str | None:
    """Why ``algorithm`` cannot count this limit (``calendar``: a month's or a total quota,
    which only a fixed counter keeps); ``None`` when it can."""
    if algorithm not in ALGORITHMS:
        names = ", ".join(repr(name) for name in ALGORITHMS)
        return f"unknown algorithm {algorithm!r}: use one of {names}"
    if calendar and algorithm != FIXED:
        return (
            f"algorithm {algorithm!r} needs a period of fixed length: a {MONTH!r} or "
            f"{TOTAL!r} quota counts with {FIXED!r}"
        )
    return None


def size_problem(algorithm: str, limit: int, burst: int | None) -> str | None:
    """Why ``limit`` and ``burst`` do not fit ``algorithm``; ``None`` when they do."""
    if algorithm == SLIDING and limit > SLIDING_LIMIT_MAX:
        return (
            f"a sliding log holds one entry per request: {limit} is above "
            f"{SLIDING_LIMIT_MAX}; use 'gcra' or 'fixed' for this limit"
        )
    if burst is not None and algorithm != GCRA:
        return f"burst is GCRA's: algorithm {algorithm!r} takes none"
    if algorithm == GCRA and burst is not None and not 1 <= burst <= max(limit, 1):
        return f"the burst must be between 1 and the limit ({limit}), not {burst}"
    return None


def now_microseconds() -> int:
    """The process's clock, for caches other than Redis (which use the server's)."""
    return int(time.time() * MICROSECONDS)


def seconds(microseconds: float) -> float:
    return microseconds / MICROSECONDS


class SlidingLog:
    """At most ``limit`` requests in any ``period``: a sorted set of admission times."""

    # KEYS[1] the log; ARGV limit, period (µs). Replies {count, wait (µs)}. Scores are
    # strictly increasing times, so each is its own member; the key expires once its
    # newest entry has left the window.
    script = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  local stamp = now
  local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if newest[2] and tonumber(newest[2]) >= stamp then stamp = tonumber(newest[2]) + 1 end
  redis.call('ZADD', KEYS[1], stamp, string.format('%.0f', stamp))
  redis.call('PEXPIRE', KEYS[1], math.ceil((stamp - now + period) / 1000) + 1000)
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {count + 1, tonumber(oldest[2]) + period - now}
end
local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
if not freeing[2] then return {count + 1, period} end
return {count + 1, tonumber(freeing[2]) + period - now}
"""

    @staticmethod
    def arguments(slot: Slot, limit: int) -> tuple[int, ...]:
        return limit, _period(slot)

    @staticmethod
    def verdict(reply: Any, limit: int) -> Verdict:
        count, wait = reply
        return Verdict(int(count), seconds(int(wait)))

    @staticmethod
    def locally(cache: BaseCache, slot: Slot, limit: int, now: int) -> Verdict:
        """The script's steps on a cache without scripts (the caller holds the lock)."""
        period = _period(slot)
        log = [stamp for stamp in cache.get(slot.cache_key) or () if stamp > now - period]
        if len(log) >= limit:
            # Slots free as the oldest leave: the one that brings the log below the limit.
            freeing = len(log) - limit
            wait = log[freeing] + period - now if freeing < len(log) else period
            return Verdict(len(log) + 1, seconds(wait))
        stamp = max(now, log[-1] + 1) if log else now
        log.append(stamp)
        cache.set(slot.cache_key, log, math.ceil(seconds(stamp - now + period)) + 1)
        return Verdict(len(log), seconds(log[0] + period - now))


class CellRate:
    """GCRA: one request each ``period / limit``, ``burst`` at once; one time per key."""

    # KEYS[1] the theoretical arrival time (µs); ARGV interval, tolerance (µs). Replies
    # {admitted, remaining, wait (µs)}: wait is when the remaining grows by one.
    script = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then
  return {0, 0, tat - now - tolerance}
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000))
local remaining = math.floor((tolerance - (tat - now)) / interval) + 1
return {1, remaining, tat - now - tolerance + remaining * interval}
"""

    @staticmethod
    def arguments(slot: Slot, limit: int) -> tuple[int, ...]:
        """The emission interval (rounded up, so never faster than the rate) and the
        tolerance that lets ``burst`` requests through at once, in whole microseconds. A
        burst of 0 (a limit of 0) has a negative tolerance: nothing conforms."""
        interval = -(-_period(slot) // max(limit, 1))
        return interval, (slot.burst - 1) * interval

    @staticmethod
    def verdict(reply: Any, limit: int) -> Verdict:
        admitted, remaining, wait = (int(part) for part in reply)
        return Verdict(limit - remaining if admitted else limit + 1, seconds(wait))

    @classmethod
    def locally(cls, cache: BaseCache, slot: Slot, limit: int, now: int) -> Verdict:
        """The script's steps on a cache without scripts (the caller holds the lock)."""
        interval, tolerance = cls.arguments(slot, limit)
        tat = max(int(cache.get(slot.cache_key) or now), now)
        if tat - now > tolerance:
            return cls.verdict((0, 0, tat - now - tolerance), limit)
        tat += interval
        cache.set(slot.cache_key, tat, math.ceil(seconds(tat - now)))
        remaining = (tolerance - (tat - now)) // interval + 1
        return cls.verdict((1, remaining, tat - now - tolerance + remaining * interval), limit)


class LeaseSet:
    """At most ``limit`` requests in progress: a sorted set of lease ids scored by expiry.

    Taking a lease drops the expired ones first, so a lease that was never given back
    (its worker died) stops counting when it expires. Giving one back is one ``ZREM``.
    """

    # KEYS[1] the leases; ARGV limit, lease id, length (µs), force ('1': lease past the
    # limit, for a shadow limit that must count every request it admits). Replies
    # {admitted, count, wait (µs)}: count includes this request; wait is until the oldest
    # lease expires (0 when none is held). The key expires with its last lease.
    script = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local limit, length = tonumber(ARGV[1]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count < limit or ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], now + length, ARGV[2])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(last[2]) - now) / 1000) + 1000)
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {1, count + 1, tonumber(oldest[2]) - now}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if not oldest[2] then return {0, count + 1, 0} end
return {0, count + 1, tonumber(oldest[2]) - now}
"""

    @staticmethod
    def arguments(limit: int, lease: str, seconds: float, force: bool) -> tuple[Any, ...]:
        return limit, lease, round(seconds * MICROSECONDS), 1 if force else 0

    @staticmethod
    def verdict(reply: Any) -> tuple[bool, Verdict]:
        admitted, count, wait = (int(part) for part in reply)
        return bool(admitted), Verdict(count, seconds(wait))

    @classmethod
    def locally(
        cls,
        cache: BaseCache,
        slot: Slot,
        limit: int,
        lease: str,
        length: float,
        force: bool,
        now: int,
    ) -> tuple[bool, Verdict]:
        """The script's steps on a cache without scripts (the caller holds the lock)."""
        leases = {
            held: until for held, until in (cache.get(slot.cache_key) or {}).items() if until > now
        }
        count = len(leases)
        admitted = count < limit or force
        if admitted:
            leases[lease] = now + round(length * MICROSECONDS)
            cache.set(slot.cache_key, leases, math.ceil(seconds(max(leases.values()) - now)) + 1)
        wait = min(leases.values()) - now if leases else 0
        return admitted, Verdict(count + 1, seconds(wait))

    @staticmethod
    def locally_release(cache: BaseCache, slot: Slot, lease: str, now: int) -> None:
        """``ZREM`` on a cache without scripts (the caller holds the lock)."""
        leases = cache.get(slot.cache_key) or {}
        if leases.pop(lease, None) is not None:
            held = [until for until in leases.values() if until > now]
            if held:
                cache.set(slot.cache_key, leases, math.ceil(seconds(max(held) - now)) + 1)
            else:
                cache.delete(slot.cache_key)


class StoreClockWindow:
    """A fixed window, or a calendar month, that Redis derives from its own clock."""

    # window_frees(seconds, period, offset): the second the window holding ``seconds`` frees
    # in. A period of 0 is the calendar month (UTC, Hinnant's civil-date arithmetic);
    # otherwise django-ratelimit's _get_window, plus the second that ends it.
    functions = """
local function first_day(year, month)
  if month <= 2 then year = year - 1 end
  local era = math.floor(year / 400)
  local yoe = year - era * 400
  local doy = math.floor((153 * ((month + 9) % 12) + 2) / 5)
  return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end
local function next_month(seconds)
  local z = math.floor(seconds / 86400) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
    - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local year, month = yoe + era * 400, mp < 10 and mp + 3 or mp - 9
  if month <= 2 then year = year + 1 end
  if month == 12 then year, month = year + 1, 1 else month = month + 1 end
  return first_day(year, month) * 86400
end
local function window_frees(seconds, period, offset)
  if period == 0 then return next_month(seconds) end
  if period == 1 then return seconds + 1 end
  local ends = seconds - seconds % period + offset
  if ends < seconds then ends = ends + period end
  return ends + 1
end
"""
    # KEYS[1] a hash {frees, count}; ARGV period (s), offset (s), fudge (s). Replies
    # {count, wait (µs) until the window frees}. A window stored as freeing later than the
    # clock says (a failover to a server whose clock is behind) is kept: never reopened.
    script = (
        functions
        + """
local now = redis.call('TIME')
local seconds = tonumber(now[1])
local frees = window_frees(seconds, tonumber(ARGV[1]), tonumber(ARGV[2]))
local stored = tonumber(redis.call('HGET', KEYS[1], 'frees'))
local count
if stored and stored >= frees then
  frees = stored
  count = redis.call('HINCRBY', KEYS[1], 'count', 1)
else
  redis.call('HSET', KEYS[1], 'frees', frees, 'count', 1)
  redis.call('EXPIREAT', KEYS[1], frees + tonumber(ARGV[3]))
  count = 1
end
return {count, (frees - seconds) * 1000000 - tonumber(now[2])}
"""
    )

    @staticmethod
    def arguments(slot: Slot, limit: int) -> tuple[int, ...]:
        window = cast(StoreWindow, slot.store_window)  # scripted_steps sends only these here
        return window.period, window.offset, EXPIRATION_FUDGE

    @staticmethod
    def verdict(reply: Any, limit: int) -> Verdict:
        count, wait = reply
        return Verdict(int(count), seconds(int(wait)))


def _period(slot: Slot) -> int:
    return int(slot.window_seconds or 0) * MICROSECONDS


# The algorithms a store runs as a script (fixed windows are its plain counters).
ROLLING: dict[str, type[SlidingLog] | type[CellRate]] = {SLIDING: SlidingLog, GCRA: CellRate}
Scripted = type[SlidingLog] | type[CellRate] | type[StoreClockWindow]
# Every script a Redis store runs besides its plain counter's.
SCRIPTED: tuple[Scripted, ...] = (SlidingLog, CellRate, StoreClockWindow)


def scripted_steps(slot: Slot) -> Scripted | None:
    """The script that counts ``slot`` on Redis; ``None`` for a plain counter (a fixed window
    of the app's clock, or a total)."""
    if slot.store_window is not None:
        return StoreClockWindow
    return ROLLING.get(slot.algorithm)
