"""The counter store: the cache that holds the counts, asked so that an outage costs little.

- On Redis (Django's ``RedisCache`` or django-redis) one script creates and increments a
  counter in one round trip (or runs a sliding log or a GCRA cell, ``algorithms``), on a
  client of its own whose every call times out after ``LIMITS_TIMEOUT`` seconds and is
  never retried, whatever the cache's own options and whichever redis-py version.
- On other caches a fixed counter uses ``add`` and ``incr``; a sliding log, a GCRA cell or
  a concurrency limit's leases are read and written under a lock of the process.
- After the store fails, a circuit breaker stops asking it for ``LIMITS_RETRY_INTERVAL``
  seconds: until then each request is decided at once (fail open or closed). Then one
  request tries the store again.
- Only errors that mean the store is unreachable or too slow count as an outage; any other
  exception is a bug and propagates. The outage is logged once, as a warning, and its end
  once, as information.

There is one store per cache alias and process, dropped when the settings change. Async
views reach the same store, its breaker included, through ``async_store``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from django.core.cache import BaseCache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver

from api_errors.conf import SETTING_NAME, get_settings
from api_errors.correlation import get_correlation_id
from api_errors.limits.algorithms import (
    ROLLING,
    SCRIPTED,
    LeaseSet,
    Verdict,
    now_microseconds,
    scripted_steps,
)
from api_errors.limits.counters import FIXED, Slot, limits_cache_alias

logger = logging.getLogger("api_errors")

# Create the counter if missing (expiring after ARGV[1] seconds, never if 0), then add one:
# a single command, so one round trip and atomic across every worker.
INCREMENT_SCRIPT = """
if redis.call('SET', KEYS[1], 0, 'NX') and tonumber(ARGV[1]) > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return redis.call('INCR', KEYS[1])
"""


class CounterUnavailable(Exception):
    """The store that holds the counters did not answer, or is being left alone."""


def outage_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean the store is unreachable or timed out."""
    # Refused, reset, socket timeouts; asyncio's timeouts are no OSError before Python 3.11.
    errors: list[type[BaseException]] = [OSError, asyncio.TimeoutError]
    try:
        from redis import exceptions as redis_exceptions
    except ImportError:  # pragma: no cover - redis is installed wherever Redis is used
        pass
    else:
        # BusyLoadingError and the cluster's "down" errors are ConnectionErrors too.
        errors += [redis_exceptions.ConnectionError, redis_exceptions.TimeoutError]
    try:
        from django_redis.exceptions import ConnectionInterrupted
    except ImportError:
        pass
    else:
        errors.append(ConnectionInterrupted)
    return tuple(errors)


class Breaker:
    """Closed while the store answers; open for ``interval`` seconds after it fails."""

    def __init__(self, alias: str, interval: float) -> None:
        self.alias = alias
        self.interval = interval
        self.open_until = 0.0  # 0: closed
        self.lock = threading.Lock()

    def allows(self, now: float) -> bool:
        """Whether to ask the store now; once the interval is over, one caller probes."""
        if self.open_until == 0.0:
            return True
        with self.lock:
            if now < self.open_until:
                return False
            self.open_until = now + self.interval  # the others keep deciding at once
            return True

    def failed(self, exc: BaseException, now: float) -> None:
        with self.lock:
            was_closed = self.open_until == 0.0
            self.open_until = now + self.interval
        if was_closed:
            logger.warning(
                "limits store %r unavailable (%s), asking it again every %ss: correlation_id=%s",
                self.alias,
                type(exc).__name__,
                self.interval,
                get_correlation_id() or "-",
                extra={"cache_alias": self.alias},
            )

    def succeeded(self) -> None:
        if self.open_until == 0.0:
            return
        with self.lock:
            was_open, self.open_until = self.open_until != 0.0, 0.0
        if was_open:
            logger.info(
                "limits store %r answers again", self.alias, extra={"cache_alias": self.alias}
            )


class StoreCall:
    """One call to the store, sync or awaited: refused at once while the breaker is open,
    and an outage (one of ``errors``) opens it and becomes ``CounterUnavailable``."""

    __slots__ = ("breaker", "errors")

    def __init__(self, breaker: Breaker, errors: tuple[type[BaseException], ...]) -> None:
        self.breaker = breaker
        self.errors = errors

    def __enter__(self) -> None:
        breaker = self.breaker
        # A closed breaker is read without a call: this runs on every limited request.
        if breaker.open_until and not breaker.allows(time.monotonic()):
            raise CounterUnavailable(f"limits store {breaker.alias!r} is left alone after failing")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            if self.breaker.open_until:
                self.breaker.succeeded()
        elif isinstance(exc, self.errors):
            # From when the call gave up: a timeout as long as the interval still opens it.
            self.breaker.failed(exc, time.monotonic())
            raise CounterUnavailable(str(exc)) from exc


class CounterStore:
    """One cache alias's counters, behind a breaker."""

    def __init__(self, alias: str, timeout: float, interval: float) -> None:
        self.alias = alias
        self.timeout = timeout
        self.breaker = Breaker(alias, interval)
        self.errors = outage_errors()
        # None: not looked up yet; False: not Redis.
        self._redis: RedisCounters | bool | None = None
        self._redis_lock = threading.Lock()
        # Sliding logs and GCRA cells on a cache without scripts: read and written under it.
        self._local_lock = threading.Lock()

    def count(self, slot: Slot, limit: int) -> tuple[int, float | None]:
        """Count a request in the slot, atomically: the count (this request included, past
        ``limit`` when refused) and when a slot frees (``None``: never)."""
        with StoreCall(self.breaker, self.errors):
            return self._count(slot, limit)

    def lease(
        self, slot: Slot, limit: int, lease: str, seconds: float, force: bool
    ) -> tuple[bool, Verdict]:
        """Take lease ``lease`` for ``seconds`` if fewer than ``limit`` are held (always with
        ``force``), atomically: whether it was taken, the count with this request and the
        time until the oldest lease expires."""
        with StoreCall(self.breaker, self.errors):
            return self._lease(slot, limit, lease, seconds, force)

    def release(self, slot: Slot, lease: str) -> None:
        """Give lease ``lease`` back."""
        with StoreCall(self.breaker, self.errors):
            self._release(slot, lease)

    def _count(self, slot: Slot, limit: int) -> tuple[int, float | None]:
        redis = self.redis()
        if redis is not None:
            return redis.count(slot, limit)
        if slot.algorithm == FIXED:
            return self._increment(slot), slot.resets_at
        with self._local_lock:
            verdict = ROLLING[slot.algorithm].locally(
                caches[self.alias], slot, limit, now_microseconds()
            )
        return freed(verdict)

    def _lease(
        self, slot: Slot, limit: int, lease: str, seconds: float, force: bool
    ) -> tuple[bool, Verdict]:
        redis = self.redis()
        if redis is not None:
            return redis.lease(slot, limit, lease, seconds, force)
        with self._local_lock:
            return LeaseSet.locally(
                caches[self.alias], slot, limit, lease, seconds, force, now_microseconds()
            )

    def _release(self, slot: Slot, lease: str) -> None:
        redis = self.redis()
        if redis is not None:
            redis.release(slot, lease)
            return
        with self._local_lock:
            LeaseSet.locally_release(caches[self.alias], slot, lease, now_microseconds())

    def _increment(self, slot: Slot) -> int:
        cache = caches[self.alias]
        if cache.add(slot.cache_key, 1, slot.ttl):
            return 1
        try:
            return int(cache.incr(slot.cache_key))
        except ValueError:
            # The key expired between add and incr: it starts again.
            cache.add(slot.cache_key, 0, slot.ttl)
            return int(cache.incr(slot.cache_key))

    def redis(self) -> RedisCounters | None:
        """On Redis, its counters on this store's own bounded client (found once);
        ``None`` on any other cache."""
        if self._redis is None:
            with self._redis_lock:
                if self._redis is None:
                    cache = caches[self.alias]
                    make_key = _redis_key_function(cache)
                    if make_key is None:
                        self._redis = False
                    else:
                        client = bounded_client(_write_client(cache), self.timeout)
                        self._redis = RedisCounters(client, make_key)
        return self._redis if isinstance(self._redis, RedisCounters) else None


class RedisCounters:
    """The scripts on one client. It sends EVALSHA itself (redis-py's ``Script`` costs
    about as much again on the client) and loads a script when Redis lacks it."""

    def __init__(self, client: Any, make_key: Callable[[str], str]) -> None:
        from redis.exceptions import NoScriptError

        self.client = client
        self.make_key = make_key
        self.increment_script = client.register_script(INCREMENT_SCRIPT)
        self.scripts = {steps: client.register_script(steps.script) for steps in SCRIPTED}
        self.lease_script = client.register_script(LeaseSet.script)
        self.missing_script = NoScriptError

    def command(self, slot: Slot, limit: int) -> tuple[Any, str, tuple[Any, ...]]:
        """The script that counts ``slot`` (redis-py's ``Script``: its text and SHA), the
        key and the arguments; ``async_store`` sends the same."""
        steps = scripted_steps(slot)
        key = self.make_key(slot.cache_key)
        if steps is None:
            return self.increment_script, key, (slot.ttl or 0,)
        return self.scripts[steps], key, steps.arguments(slot, limit)

    def evaluate(self, script: Any, key: str, args: tuple[Any, ...]) -> Any:
        """EVALSHA, and the script's text only when the server lacks it."""
        try:
            return self.client.execute_command("EVALSHA", script.sha, 1, key, *args)
        except self.missing_script:
            return script(keys=[key], args=list(args))

    def count(self, slot: Slot, limit: int) -> tuple[int, float | None]:
        script, key, args = self.command(slot, limit)
        return counted(slot, limit, self.evaluate(script, key, args))

    def lease(
        self, slot: Slot, limit: int, lease: str, seconds: float, force: bool
    ) -> tuple[bool, Verdict]:
        arguments = LeaseSet.arguments(limit, lease, seconds, force)
        key = self.make_key(slot.cache_key)
        return LeaseSet.verdict(self.evaluate(self.lease_script, key, arguments))

    def release(self, slot: Slot, lease: str) -> None:
        self.client.execute_command("ZREM", self.make_key(slot.cache_key), lease)


def counted(slot: Slot, limit: int, reply: Any) -> tuple[int, float | None]:
    """A script's reply: the count, and when a slot frees (the plain counter's window end,
    or the store's wait from now)."""
    steps = scripted_steps(slot)
    if steps is None:
        return int(reply), slot.resets_at
    return freed(steps.verdict(reply, limit))


def freed(verdict: Verdict) -> tuple[int, float]:
    """The count and the moment a slot frees, on this process's clock: the store's wait
    from now, so ``Retry-After`` and ``t`` are the store's however far the clocks differ."""
    return verdict.count, time.time() + verdict.wait


def _redis_key_function(cache: BaseCache) -> Callable[[str], str] | None:
    """The full Redis key of a cache key on Django's ``RedisCache`` or django-redis (their
    prefix and version; counters' keys are hex digests, so need no validating); ``None``
    elsewhere."""
    backend = type(cache).__module__
    if backend == "django.core.cache.backends.redis":
        return cache.make_key
    if backend.startswith("django_redis."):
        return cache.client.make_key  # type: ignore[attr-defined,no-any-return]
    return None


def _write_client(cache: BaseCache) -> Any:
    if type(cache).__module__ == "django.core.cache.backends.redis":
        return cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return cache.client.get_client(write=True)  # type: ignore[attr-defined]


def bounded_client(client: Any, timeout: float) -> Any:
    """A client on the same server as ``client`` whose calls give up after ``timeout``
    seconds, connecting included, and are never retried."""
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.connection import ConnectionPool
    from redis.retry import Retry

    pool = client.connection_pool
    no_retry = Retry(NoBackoff(), 0)
    kwargs = {
        **pool.connection_kwargs,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry_on_timeout": False,
        "retry": no_retry,
    }
    kwargs.pop("retry_on_error", None)
    bounded_pool = ConnectionPool(
        connection_class=pool.connection_class, max_connections=pool.max_connections, **kwargs
    )
    return Redis(connection_pool=bounded_pool, retry=no_retry)


_stores: dict[str, CounterStore] = {}
_stores_lock = threading.Lock()


def counter_store() -> CounterStore:
    """The store of the cache django-ratelimit counts in (``RATELIMIT_USE_CACHE``)."""
    alias = limits_cache_alias()
    store = _stores.get(alias)
    if store is None:
        with _stores_lock:
            store = _stores.get(alias)
            if store is None:
                conf = get_settings()
                store = CounterStore(
                    alias, float(conf.LIMITS_TIMEOUT), float(conf.LIMITS_RETRY_INTERVAL)
                )
                _stores[alias] = store
    return store


@receiver(setting_changed)
def _drop_stores(*, setting: str, **kwargs: Any) -> None:
    if setting in ("CACHES", "RATELIMIT_USE_CACHE", SETTING_NAME):
        with _stores_lock:
            _stores.clear()
