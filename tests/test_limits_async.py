"""Async views await the limits store on redis.asyncio, on the event loop's own thread, with
the sync store's timeout and breaker and one connection pool per event loop; where that is
not possible (other caches, WSGI, code of yours to call) they count as before, in a worker
thread. Exactness is measured through one real uvicorn process."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
import weakref
from pathlib import Path

import django
import httpx
import pytest
import redis
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.test import AsyncClient, RequestFactory
from django_ratelimit import ALL

from api_errors.limits.algorithms import CellRate
from api_errors.limits.async_store import (
    AsyncCounterStore,
    AsyncRedisCounters,
    async_counter_store,
    cancellation_safe,
)
from api_errors.limits.counters import fixed_window_slot, rolling_slot
from api_errors.limits.policies import resolve_key
from api_errors.limits.store import Breaker, CounterStore, counter_store
from tests import test_limits_outage
from tests.example.support import free_port, stop
from tests.services import REDIS_URL, missing, redis_caches, require_redis

pytestmark = pytest.mark.urls("tests.urls_async_limits")

ROOT = Path(__file__).resolve().parent.parent
DJANGO_REDIS = "django.core.cache.backends.redis.RedisCache"
DJANGO_REDIS_PACKAGE = "django_redis.cache.RedisCache"
# A redis-server of the test's own that SIGSTOP freezes (tests/test_limits_outage.py).
frozen_redis = test_limits_outage.frozen_redis


# Awaiting the store is opted into (docs/async-and-clocks.md): every test here opts in,
# unless it says otherwise.
AWAIT = {"LIMITS_AWAIT_STORE": True}


@pytest.fixture(autouse=True)
def awaiting(settings):
    settings.API_ERRORS = AWAIT


@pytest.fixture
def on_redis(settings):
    require_redis()
    settings.CACHES = redis_caches()


@pytest.fixture
def store_calls(monkeypatch):
    """Each call to a store, as ("awaited" or "sync", the thread that ran it)."""
    calls = []
    awaited, blocking = AsyncRedisCounters.count, CounterStore.count

    async def awaited_spy(self, slot, limit):
        calls.append(("awaited", threading.get_ident()))
        return await awaited(self, slot, limit)

    def blocking_spy(self, slot, limit):
        calls.append(("sync", threading.get_ident()))
        return blocking(self, slot, limit)

    monkeypatch.setattr(AsyncRedisCounters, "count", awaited_spy)
    monkeypatch.setattr(CounterStore, "count", blocking_spy)
    return calls


def new_client():
    return uuid.uuid4().hex


async def statuses(async_client, path, who, count):
    return [
        (await async_client.get(path, headers={"X-Client": who})).status_code for _ in range(count)
    ]


# --- on the event loop ------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["fixed", "sliding", "gcra"])
async def test_an_async_view_awaits_redis_on_the_event_loops_thread(
    async_client, on_redis, store_calls, algorithm
):
    who = new_client()
    responses = [
        await async_client.get(f"/api/async-limits/{algorithm}/", headers={"X-Client": who})
        for _ in range(3)
    ]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert 1 <= int(responses[2]["Retry-After"]) <= 60
    assert responses[2]["RateLimit-Policy"] == f'"al-{algorithm}";q=2;w=60'
    # No worker thread: every count was awaited on the thread running this test's loop.
    assert store_calls == [("awaited", threading.get_ident())] * 3


async def test_async_and_sync_views_count_in_one_counter(async_client, client, on_redis):
    who = new_client()

    first = await async_client.get("/api/async-limits/fixed/", headers={"X-Client": who})
    second = await asyncio.to_thread(
        client.get, "/api/sync-limits/fixed/", headers={"X-Client": who}
    )
    third = await async_client.get("/api/async-limits/fixed/", headers={"X-Client": who})

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]


async def test_a_user_key_awaits_the_user_and_counts_as_the_sync_view(
    async_client, client, on_redis, store_calls
):
    """Anonymous, ``user_or_ip`` is the address, as django-ratelimit reads it (the test
    clients' 127.0.0.1: its counter is cleared first, in the window the test stays in)."""
    slot = fixed_window_slot("al-user-or-ip", "2/m", "127.0.0.1", ALL)
    await caches["default"].adelete(slot.cache_key)

    first = await async_client.get("/api/async-limits/user-or-ip/")
    second = await asyncio.to_thread(client.get, "/api/sync-limits/user-or-ip/")
    third = await async_client.get("/api/async-limits/user-or-ip/")

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    loop_thread = threading.get_ident()
    on_the_loop = [kind for kind, thread in store_calls if thread == loop_thread]
    if django.VERSION >= (5, 0):
        assert on_the_loop == ["awaited"] * 2
    else:
        # Django 4.2 has no request.auser(): the user, and so the count, is read in a thread.
        assert on_the_loop == []
        assert [kind for kind, _ in store_calls] == ["sync"] * 3


async def test_a_view_that_raises_after_counting_is_a_server_error(async_client, on_redis):
    who = new_client()

    assert await statuses(async_client, "/api/async-limits/raises/", who, 3) == [500, 500, 429]


class Caller:
    def __init__(self, pk, is_authenticated=True):
        self.pk = pk
        self.is_authenticated = is_authenticated


@pytest.mark.parametrize(
    ("key", "user", "expected"),
    [
        ("user", Caller("alice"), "alice"),
        ("user_or_ip", Caller("alice"), "alice"),
        ("user_or_ip", Caller(None, is_authenticated=False), "10.1.2.3"),
        ("user", Caller(None, is_authenticated=False), "None"),
    ],
)
def test_an_awaited_user_is_read_as_django_ratelimit_reads_request_user(key, user, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = user

    assert resolve_key(key, "group", request, user) == expected
    assert resolve_key(key, "group", request) == expected


async def test_a_refusal_remembered_is_answered_without_the_store(
    async_client, settings, on_redis, store_calls
):
    settings.API_ERRORS = {**AWAIT, "LIMITS_REMEMBER_REFUSALS": True}
    who = new_client()

    answered = await statuses(async_client, "/api/async-limits/sliding/", who, 4)

    assert answered == [200, 200, 429, 429]
    assert [kind for kind, _ in store_calls] == ["awaited"] * 3


async def test_a_request_the_limit_does_not_apply_to_is_not_counted(
    async_client, on_redis, store_calls
):
    who = new_client()

    assert await statuses(async_client, "/api/async-limits/post-only/", who, 3) == [200] * 3
    assert store_calls == []


async def test_a_redis_without_the_scripts_is_sent_them(async_client, settings, frozen_redis):
    """A new server (or one that restarted) answers EVALSHA with NOSCRIPT."""
    settings.CACHES = {"default": {"BACKEND": DJANGO_REDIS, "LOCATION": frozen_redis.url}}
    who = new_client()

    assert await statuses(async_client, "/api/async-limits/gcra/", who, 3) == [200, 200, 429]
    connection = redis.Redis.from_url(frozen_redis.url)
    try:
        sha = counter_store().redis().scripts[CellRate].sha
        assert connection.script_exists(sha) == [True]
    finally:
        connection.close()


# --- in a worker thread, as before --------------------------------------------------------


async def test_without_redis_an_async_view_counts_in_a_worker_thread(async_client, store_calls):
    caches["default"].clear()
    who = new_client()

    assert await statuses(async_client, "/api/async-limits/fixed/", who, 3) == [200, 200, 429]
    assert [kind for kind, _ in store_calls] == ["sync"] * 3
    assert all(thread != threading.get_ident() for _, thread in store_calls)
    assert async_counter_store().awaitable() is False


def test_under_wsgi_an_async_view_counts_in_a_worker_thread(client, on_redis, store_calls):
    """Django runs it on an event loop made for the one request: no pool would outlive it."""
    who = new_client()

    responses = [
        client.get("/api/async-limits/fixed/", headers={"X-Client": who}) for _ in range(3)
    ]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert [kind for kind, _ in store_calls] == ["sync"] * 3
    assert all(thread != threading.get_ident() for _, thread in store_calls)


@pytest.mark.parametrize("api_errors", [{}, {"LIMITS_AWAIT_STORE": False}], ids=["default", "off"])
async def test_unless_awaiting_is_on_an_async_view_counts_in_a_worker_thread(
    async_client, settings, on_redis, store_calls, api_errors
):
    settings.API_ERRORS = api_errors
    who = new_client()

    assert await statuses(async_client, "/api/async-limits/gcra/", who, 3) == [200, 200, 429]
    assert [kind for kind, _ in store_calls] == ["sync"] * 3
    assert all(thread != threading.get_ident() for _, thread in store_calls)


@pytest.mark.parametrize("name", ["callable-key", "callable-rate", "own-policy"])
async def test_code_of_yours_runs_in_a_worker_thread(async_client, on_redis, store_calls, name):
    """It may use the database, which an event loop's thread must not."""
    who = new_client()

    assert await statuses(async_client, f"/api/async-limits/{name}/", who, 3) == [200, 200, 429]
    assert [kind for kind, _ in store_calls] == ["sync"] * 3
    assert all(thread != threading.get_ident() for _, thread in store_calls)


async def test_the_async_store_counts_in_a_thread_on_other_caches():
    caches["default"].clear()
    slot = rolling_slot("sliding", "al-direct", 60, new_client(), "ALL")

    counts = [(await async_counter_store().count(slot, 1))[0] for _ in range(2)]

    assert counts == [1, 2]


class OwnConnection(redis.connection.Connection):
    """A connection class redis.asyncio has no twin of."""


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"connection_class": OwnConnection}, id="own-connection-class"),
    ],
)
def test_a_client_it_cannot_mirror_is_used_from_a_thread(settings, options):
    require_redis()
    settings.CACHES = {"default": {**redis_caches()["default"], "OPTIONS": options}}

    assert async_counter_store().awaitable() is False


@pytest.mark.parametrize(
    ("version", "safe"),
    [
        ("4.5.0", False),
        ("4.5.3", False),
        ("4.5.4", True),
        ("4.6.0", True),
        ("5.0.0b1", True),
        ("8.1.0", True),
    ],
)
def test_only_a_redis_py_that_cancels_safely_is_awaited(version, safe):
    assert cancellation_safe(version) is safe


# --- one pool per event loop ------------------------------------------------------------


def clients_named(name):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        return [c for c in connection.client_list() if c.get("name") == name]
    finally:
        connection.close()


def named_redis(settings):
    require_redis()
    name = f"al-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {**redis_caches()["default"], "OPTIONS": {"client_name": name}}}
    return name


def test_each_event_loop_has_a_pool_of_its_own_closed_with_the_loop(settings):
    name = named_redis(settings)
    seen, pools = [], []

    async def on_a_new_loop():
        response = await AsyncClient().get("/api/async-limits/fixed/", headers={"X-Client": name})
        held = async_counter_store()._loops
        [(counters, _holder)] = held.values()
        seen.append((list(held) == [asyncio.get_running_loop()], len(clients_named(name))))
        pools.append(weakref.ref(counters.client.connection_pool))
        return response.status_code

    assert [asyncio.run(on_a_new_loop()) for _ in range(2)] == [200, 200]

    gc.collect()
    assert seen == [(True, 1), (True, 1)]
    assert [pool() for pool in pools] == [None, None]  # the store keeps nothing of a loop
    assert async_counter_store()._loops == {}
    assert clients_named(name) == []  # each loop's pool was closed as the loop ended


def test_a_loop_closed_without_shutting_down_is_forgotten(settings):
    name = named_redis(settings)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(
        AsyncClient().get("/api/async-limits/fixed/", headers={"X-Client": name})
    )
    loop.close()  # without shutdown_asyncgens(): its pool is left behind
    [(counters, _holder)] = async_counter_store()._loops.values()
    left_behind = weakref.ref(counters.client.connection_pool)
    del counters, _holder, loop

    async def on_another_loop():
        await AsyncClient().get("/api/async-limits/fixed/", headers={"X-Client": name})
        return list(async_counter_store()._loops) == [asyncio.get_running_loop()]

    assert asyncio.run(on_another_loop())
    gc.collect()
    assert left_behind() is None


async def test_past_the_pools_connections_calls_wait_for_one(settings):
    require_redis()
    name = f"al-{uuid.uuid4().hex[:12]}"
    options = {"client_name": name, "max_connections": 2}
    settings.CACHES = {"default": {**redis_caches()["default"], "OPTIONS": options}}
    slot = rolling_slot("sliding", "al-pool", 60, new_client(), ALL)

    counted = await asyncio.gather(*(async_counter_store().count(slot, 100) for _ in range(12)))

    assert sorted(count for count, _ in counted) == list(range(1, 13))
    assert len(clients_named(name)) == 2


def test_new_settings_give_a_new_async_store_on_the_new_sync_store(settings):
    require_redis()
    before = async_counter_store()
    assert async_counter_store() is before
    settings.CACHES = redis_caches()

    after = async_counter_store()

    assert after is not before
    assert after.store is counter_store()
    assert isinstance(after, AsyncCounterStore)


# --- outages: the sync store's timeout and breaker --------------------------------------


CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def breaker_failures(monkeypatch):
    """How often a store call failed (and so opened, or kept open, the breaker)."""
    failures = []
    failed = Breaker.failed

    def spy(self, exc, now):
        failures.append(type(exc).__name__)
        return failed(self, exc, now)

    monkeypatch.setattr(Breaker, "failed", spy)
    return failures


@pytest.mark.parametrize("first", ["async", "sync"])
def test_an_outage_opens_one_breaker_for_async_and_sync_views(
    client, async_client, settings, caplog, breaker_failures, first
):
    """The second view, of the other kind, is answered at once without asking the store."""
    settings.CACHES = {"default": {"BACKEND": DJANGO_REDIS, "LOCATION": CLOSED_PORT}}
    settings.API_ERRORS = {**AWAIT, "LIMITS_FAIL_OPEN": False}
    caplog.set_level(logging.INFO, logger="api_errors")
    who = new_client()
    send = {
        "async": lambda: async_to_sync(async_client.get)(
            "/api/async-limits/fixed/", headers={"X-Client": who}
        ),
        "sync": lambda: client.get("/api/sync-limits/fixed/", headers={"X-Client": who}),
    }
    second = "sync" if first == "async" else "async"

    responses = [send[first](), send[second]()]

    assert [r.status_code for r in responses] == [503, 503]
    assert [r["Retry-After"] for r in responses] == ["30", "30"]
    assert len(breaker_failures) == 1
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING"]


@pytest.mark.parametrize("fail_open", [True, False])
def test_an_outage_answers_an_async_view_as_its_sync_twin(
    client, async_client, settings, fail_open
):
    def answers(send):
        settings.CACHES = {"default": {"BACKEND": DJANGO_REDIS, "LOCATION": CLOSED_PORT}}
        settings.API_ERRORS = {**AWAIT, "LIMITS_FAIL_OPEN": fail_open}
        return [
            (r.status_code, r.get("Retry-After"), json.loads(r.content))
            for r in (send() for _ in range(3))
        ]

    who = new_client()
    awaited = answers(
        lambda: async_to_sync(async_client.get)(
            "/api/async-limits/fixed/", headers={"X-Client": who}
        )
    )
    blocking = answers(lambda: client.get("/api/sync-limits/fixed/", headers={"X-Client": who}))

    assert awaited == blocking
    assert awaited[0][0] == (200 if fail_open else 503)


# An awaited call shares its event loop with the test client's own work, so on a loaded
# machine a request decided at once can take most of a second: the timeout is long enough
# that waiting for it is told apart from that.
TIMEOUT = 1.5
WAITED = 1.4
BOUNDED = 3.5
AT_ONCE = 1.0


@pytest.mark.slow
@pytest.mark.parametrize("backend", [DJANGO_REDIS, DJANGO_REDIS_PACKAGE])
async def test_a_hung_store_is_bounded_then_left_alone_then_probed(
    async_client, settings, caplog, frozen_redis, backend, store_calls
):
    """The sync path's story (tests/test_limits_outage.py), awaited: the call gives up after
    LIMITS_TIMEOUT, the breaker then answers at once, one request probes after the interval,
    and counting resumes when the store answers."""
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": frozen_redis.url}}
    settings.API_ERRORS = {**AWAIT, "LIMITS_TIMEOUT": TIMEOUT, "LIMITS_RETRY_INTERVAL": 1}
    caplog.set_level(logging.INFO, logger="api_errors")
    who = new_client()

    async def timed():
        started = time.monotonic()
        response = await async_client.get("/api/async-limits/fixed/", headers={"X-Client": who})
        return response.status_code, time.monotonic() - started

    assert (await timed())[0] == 200
    frozen_redis.freeze()
    try:
        first = await timed()
        refused = await timed()
        await asyncio.sleep(1.1)
        probe = await timed()
    finally:
        frozen_redis.thaw()
    await asyncio.sleep(1.1)
    back = await timed()

    assert first[0] == refused[0] == probe[0] == 503
    assert WAITED < first[1] < BOUNDED
    assert refused[1] < AT_ONCE
    assert WAITED < probe[1] < BOUNDED
    # The timed-out call reached the store when it woke, and counts: at most 2 a minute.
    assert back[0] in (200, 429)
    store_records = [r for r in caplog.records if "limits store" in r.getMessage()]
    assert [r.levelname for r in store_records] == ["WARNING", "INFO"]
    assert {kind for kind, _ in store_calls} == {"awaited"}


# --- a real server: exactly the limit under concurrency ---------------------------------


CONCURRENT = 200
LIMIT = 100


def wait_until_up(base, process, log_path, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()
        try:
            httpx.get(f"{base}/api/async-limits/fixed/", headers={"X-Client": "up"}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"uvicorn did not answer within {seconds}s: {log_path.read_text()}")


SERVERS = [
    pytest.param((DJANGO_REDIS, "app"), id="django-redis-cache"),
    pytest.param((DJANGO_REDIS_PACKAGE, "app"), id="django-redis"),
    pytest.param((DJANGO_REDIS, "store"), id="store-clock"),
]


@pytest.fixture(scope="module", params=SERVERS)
def uvicorn_server(request, tmp_path_factory):
    """One uvicorn process (one worker, loopback) on Redis; its base URL."""
    require_redis()
    backend, clock = request.param
    port = free_port()
    log_path = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.async_server_settings",
        LIMITS_BACKEND=backend,
        LIMITS_CLOCK=clock,
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "tests.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, process, log_path)
            yield base
        finally:
            stop(process)


async def concurrently(url, who, count):
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as http:
        return await asyncio.gather(
            *(http.get(url, headers={"X-Client": who}) for _ in range(count))
        )


REMAINING = re.compile(r'"[^"]+";r=(\d+)')


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["fixed", "sliding", "gcra"])
def test_one_uvicorn_process_admits_exactly_the_limit(uvicorn_server, algorithm):
    url = f"{uvicorn_server}/api/async-limits/{algorithm}/hundred/"

    responses = asyncio.run(concurrently(url, new_client(), CONCURRENT))

    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == CONCURRENT - LIMIT
    # Each admitted request saw a count of its own: none lost, none repeated.
    remaining = sorted(
        int(REMAINING.match(r.headers["RateLimit"])[1]) for r in responses if r.status_code == 200
    )
    assert remaining == list(range(LIMIT))
    assert all(int(r.headers["Retry-After"]) >= 1 for r in responses if r.status_code == 429)


# --- the lowest redis-py ----------------------------------------------------------------

LOWEST_PROBE = """
import asyncio, json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import django
from django.conf import settings
settings.CACHES = {"default": {"BACKEND": sys.argv[1], "LOCATION": sys.argv[2]}}
settings.ROOT_URLCONF = "tests.urls_async_limits"
django.setup()
import redis
from django.test import AsyncClient
from api_errors.limits.async_store import async_counter_store

async def main():
    client, headers = AsyncClient(), {"X-Client": sys.argv[3]}
    path = "/api/async-limits/fixed/"
    return [(await client.get(path, headers=headers)).status_code for _ in range(3)]

statuses = asyncio.run(main())
awaitable = async_counter_store().awaitable()
print(json.dumps({"redis": redis.__version__, "awaitable": awaitable, "statuses": statuses}))
"""


@pytest.mark.slow
def test_on_a_redis_py_that_cannot_cancel_safely_async_views_count_in_a_thread():
    require_redis()
    lowest = test_limits_outage.LOWEST
    if not lowest.exists():
        missing("the lowest redis-py is not installed (make .redis-lowest/.installed)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(lowest), str(ROOT)])

    result = subprocess.run(
        [sys.executable, "-c", LOWEST_PROBE, DJANGO_REDIS, REDIS_URL, new_client()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    probe = json.loads(result.stdout)
    assert probe["redis"] == test_limits_outage.lowest_admitted_redis() + ".0"
    assert probe == {**probe, "awaitable": False, "statuses": [200, 200, 429]}
