"""The counter store for async views: the same scripts, awaited on ``redis.asyncio``.

- It is the sync store's async face (``store.CounterStore``): the same cache alias, the
  same ``LIMITS_TIMEOUT``, no retries, and the same breaker object, so an outage found by
  an async view leaves the store alone for sync views too, and the other way round.
- Each event loop gets a connection pool of its own (an asyncio connection belongs to the
  loop that opened it). The pool closes when its loop shuts down: asyncio calls no hook
  then but ``shutdown_asyncgens()``, which ``asyncio.run``, uvicorn, asgiref and
  pytest-asyncio call before closing a loop, and which closes the async generator that
  holds the pool. A loop closed without it is forgotten the next time a pool is opened.
- It mirrors clients it knows: redis-py 4.5.4 or newer (earlier ones could hand a
  cancelled command's reply to the next command on the connection) with a plain TCP,
  TLS or Unix socket connection. For anything else (other caches, other clients)
  ``awaitable()`` is false and views count as before, in a worker thread.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from asgiref.sync import sync_to_async

from api_errors.limits.counters import Slot
from api_errors.limits.store import CounterStore, RedisCounters, StoreCall, counted, counter_store

# The redis-py that handles a cancelled async command without corrupting the connection
# (CVE-2023-28858 and CVE-2023-28859).
SAFE_REDIS = (4, 5, 4)
# Connections of one event loop's pool, at most (fewer if the cache's pool has fewer):
# beyond them a call waits for one, within LIMITS_TIMEOUT, rather than failing at once.
POOL_MAX_CONNECTIONS = 100
# What says where the server is and who connects; timeouts and retries are the store's.
CONNECTION_KWARGS = (
    "host",
    "port",
    "path",
    "db",
    "username",
    "password",
    "credential_provider",
    "client_name",
    "socket_keepalive",
    "socket_keepalive_options",
    "ssl_keyfile",
    "ssl_certfile",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_ca_data",
    "ssl_ca_path",
    "ssl_check_hostname",
    "ssl_min_version",
    "ssl_ciphers",
    "ssl_password",
)


def cancellation_safe(version: str) -> bool:
    """Whether redis-py ``version`` can cancel an async command safely."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    return numbers >= SAFE_REDIS


class AsyncRedisCounters:
    """The sync store's scripts, sent on one event loop's client, at most ``connections``
    at a time: past them a call waits for one, within ``timeout`` (redis-py's own waiting
    pool costs about a fifth more per call)."""

    def __init__(
        self, counters: RedisCounters, client: Any, connections: int, timeout: float
    ) -> None:
        from redis.exceptions import NoScriptError

        self.counters = counters
        self.client = client
        self.missing_script = NoScriptError
        self.free = asyncio.Semaphore(connections)
        self.timeout = timeout

    async def count(self, slot: Slot, limit: int) -> tuple[int, float | None]:
        script, key, args = self.counters.command(slot, limit)
        if self.free.locked():
            await asyncio.wait_for(self.free.acquire(), self.timeout)
        else:
            await self.free.acquire()  # at once
        try:
            try:
                reply = await self.client.execute_command("EVALSHA", script.sha, 1, key, *args)
            except self.missing_script:
                reply = await self.client.execute_command("EVAL", script.script, 1, key, *args)
        finally:
            self.free.release()
        return counted(slot, limit, reply)


class AsyncCounterStore:
    """One sync store's counters for async views: a pool per event loop, the same breaker."""

    def __init__(self, store: CounterStore) -> None:
        self.store = store
        self._looked_up = False
        # How to open an event loop's counters; None: redis.asyncio cannot reach the store.
        self._open: Callable[[], AsyncRedisCounters] | None = None
        self._loops: dict[asyncio.AbstractEventLoop, tuple[AsyncRedisCounters, Any]] = {}

    def awaitable(self) -> bool:
        """Whether ``count`` awaits the store on the event loop (else it uses a thread)."""
        if not self._looked_up:
            # Two threads may both look: they find the same, so no lock.
            self._open = self._mirror()
            self._looked_up = True
        return self._open is not None

    async def count(self, slot: Slot, limit: int) -> tuple[int, float | None]:
        """``CounterStore.count``, awaited: on the event loop on Redis, otherwise in a
        worker thread (other caches' clients block)."""
        if not self.awaitable():
            return await sync_to_async(self.store.count, thread_sensitive=False)(slot, limit)
        counters = await self._loop_counters()
        with StoreCall(self.store.breaker, self.store.errors):
            return await counters.count(slot, limit)

    async def _loop_counters(self) -> AsyncRedisCounters:
        loop = asyncio.get_running_loop()
        held = self._loops.get(loop)
        if held is not None:
            return held[0]
        for closed in [other for other in list(self._loops) if other.is_closed()]:
            self._loops.pop(closed, None)
        holder = self._hold(loop, cast(Callable[[], AsyncRedisCounters], self._open))
        # Nothing is awaited before the generator's first yield: no other task slips in.
        counters = await holder.__anext__()
        self._loops[loop] = (counters, holder)
        return counters

    async def _hold(
        self, loop: asyncio.AbstractEventLoop, open_counters: Callable[[], AsyncRedisCounters]
    ) -> AsyncIterator[AsyncRedisCounters]:
        """The loop's counters, until the loop shuts its async generators down."""
        counters = open_counters()
        try:
            yield counters
        finally:
            self._loops.pop(loop, None)
            await counters.client.connection_pool.disconnect()

    def _mirror(self) -> Callable[[], AsyncRedisCounters] | None:
        """How to open a redis.asyncio client like the sync store's bounded one, with the
        same scripts; ``None`` when the store is no Redis this can mirror."""
        counters = self.store.redis()
        if counters is None:
            return None  # not Redis: redis-py may not even be installed
        import redis

        if not cancellation_safe(redis.__version__):
            return None
        from redis.asyncio import ConnectionPool, Redis
        from redis.asyncio import connection as async_connection
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        pool = counters.client.connection_pool
        connection_class = getattr(async_connection, pool.connection_class.__name__, None)
        if pool.connection_class.__module__ != "redis.connection" or connection_class is None:
            return None
        accepted = _parameters(connection_class)
        kwargs = {
            name: value
            for name, value in pool.connection_kwargs.items()
            if name in CONNECTION_KWARGS and name in accepted
        }
        timeout = self.store.timeout
        max_connections = min(pool.max_connections, POOL_MAX_CONNECTIONS)

        def open_counters() -> AsyncRedisCounters:
            no_retry = Retry(NoBackoff(), 0)
            async_pool = ConnectionPool(
                connection_class=connection_class,
                max_connections=max_connections,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry_on_timeout=False,
                retry=no_retry,
                **kwargs,
            )
            client = Redis(connection_pool=async_pool, retry=no_retry)
            return AsyncRedisCounters(counters, client, max_connections, timeout)

        return open_counters


def _parameters(connection_class: type) -> set[str]:
    """The keyword arguments ``connection_class`` and its bases take."""
    return {
        name for klass in connection_class.__mro__ for name in inspect.signature(klass).parameters
    }


_async_stores: dict[str, AsyncCounterStore] = {}


def async_counter_store() -> AsyncCounterStore:
    """The async face of ``counter_store()``, rebuilt whenever that store is (the settings
    changed)."""
    store = counter_store()
    current = _async_stores.get(store.alias)
    if current is None or current.store is not store:
        current = _async_stores[store.alias] = AsyncCounterStore(store)
    return current
