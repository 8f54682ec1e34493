"""Exact counts and concurrency limits across processes on Redis, and balances that never
overdraw on PostgreSQL.

The worker below runs in spawned processes: this module imports nothing at the top that needs
Django's app registry, since a child imports it before calling ``django.setup()``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
import traceback
import uuid

import pytest
from django.db import connections
from django.test import RequestFactory
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core

from api_errors.limits import charge
from tests.services import (
    POSTGRES_HOST,
    POSTGRES_PORT,
    REDIS_URL,
    reachable,
    require_postgres,
    require_redis,
)

# Their windows are the servers': the real clock's.
pytestmark = [pytest.mark.slow, pytest.mark.real_clock]

PROCESSES = 8
ATTEMPTS = 40
RUNS = 3
LIMIT = 100
RATE = f"{LIMIT}/h"
DJANGO_REDIS = "django.core.cache.backends.redis.RedisCache"
DJANGO_REDIS_PACKAGE = "django_redis.cache.RedisCache"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def count_in_child(backend, value, groups, barrier, results, algorithm):
    """In a spawned process: for each group, wait for the others, then count ATTEMPTS times."""
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
        import django

        django.setup()
        from django.core.cache import caches
        from django.test import override_settings

        from api_errors.limits import RateLimitPolicy

        override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": REDIS_URL}}).enable()
        caches["default"].get("connect-before-the-barrier")
        request = RequestFactory().get("/")
        for run, group in enumerate(groups):
            policy = RateLimitPolicy(
                group=group, key=lambda _group, _request: value, rate=RATE, algorithm=algorithm
            )
            barrier.wait(timeout=30)
            counts = [policy.count(request).count for _ in range(ATTEMPTS)]
            results.put((run, counts))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def client_value_far_from_its_window_end():
    """A key whose hour window has more than a minute left: no boundary inside the runs."""
    for number in range(1000):
        value = f"one-client-{number}"
        if ratelimit_core._get_window(value, 3600) - time.time() > 60:
            return value
    raise AssertionError("no key with a minute left in its window")


def count_in_processes(backend, algorithm="fixed"):
    """Per run, the counts every process saw, and the runs' groups and client."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    groups = [f"lt-exact-{uuid.uuid4().hex}" for _ in range(RUNS)]
    value = client_value_far_from_its_window_end()
    workers = [
        context.Process(
            target=count_in_child,
            args=(backend, value, groups, barrier, results, algorithm),
            daemon=True,
        )
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    counts = {run: [] for run in range(RUNS)}
    try:
        for _ in range(PROCESSES * RUNS):
            run, seen = results.get(timeout=60)
            assert run != "error", seen
            counts[run] += seen
    except queue.Empty:
        pytest.fail("a counting process did not report within 60 s")
    finally:
        for worker in workers:
            worker.join(timeout=10)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=5)
    return counts, groups, value


REDIS_BACKENDS = [
    pytest.param(DJANGO_REDIS, id="django-redis-cache"),
    pytest.param(DJANGO_REDIS_PACKAGE, id="django-redis"),
]


@pytest.mark.parametrize("backend", REDIS_BACKENDS)
def test_processes_on_redis_admit_exactly_the_limit(backend):
    require_redis()

    counts, _groups, _value = count_in_processes(backend)

    for run in range(RUNS):
        assert sum(count <= LIMIT for count in counts[run]) == LIMIT, f"run {run}"
        # Every increment is seen once: none lost, none repeated.
        assert sorted(counts[run]) == list(range(1, PROCESSES * ATTEMPTS + 1)), f"run {run}"


@pytest.mark.parametrize("backend", REDIS_BACKENDS)
@pytest.mark.parametrize("algorithm", ["sliding", "gcra"])
def test_processes_on_redis_admit_exactly_the_limit_on_one_sliding_key(backend, algorithm):
    """Released together on one key, the processes' scripts run one at a time on the
    server's clock: exactly the limit is admitted (GCRA's burst is the limit), each admitted
    request seeing its own count, and the sliding log holds exactly the limit."""
    import redis
    from django.core.cache import caches
    from django.test import override_settings
    from django_ratelimit import ALL

    from api_errors.limits.counters import rolling_slot

    require_redis()

    counts, groups, value = count_in_processes(backend, algorithm)

    connection = redis.Redis.from_url(REDIS_URL)
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": REDIS_URL}}):
        keys = [
            caches["default"].make_key(rolling_slot(algorithm, group, 3600, value, ALL).cache_key)
            for group in groups
        ]
    try:
        for run in range(RUNS):
            admitted = sorted(count for count in counts[run] if count <= LIMIT)
            assert admitted == list(range(1, LIMIT + 1)), f"run {run}"
            if algorithm == "sliding":
                assert connection.zcard(keys[run]) == LIMIT, f"run {run}"
    finally:
        connection.delete(*keys)


@pytest.mark.parametrize("algorithm", ["fixed", "sliding", "gcra"])
def test_negative_control_per_process_cache_admits_more_than_the_limit(algorithm):
    counts, _groups, _value = count_in_processes(LOCMEM, algorithm)

    for run in range(RUNS):
        # Each process keeps its own count: all of them admit every attempt.
        assert sum(count <= LIMIT for count in counts[run]) == PROCESSES * ATTEMPTS > LIMIT


# --- concurrency limits ---------------------------------------------------------------


@pytest.mark.parametrize("backend", REDIS_BACKENDS)
def test_processes_on_redis_hold_exactly_the_limit_in_progress(backend):
    """Released together on one key with a limit of 100, eight processes take exactly 100
    leases, each admitted request seeing its own count; given back, none is left."""
    import redis
    from django.core.cache import caches
    from django.test import override_settings

    from api_errors.limits.counters import lease_slot
    from tests.lease_worker import lease_together

    require_redis()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.lease_worker"])
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    group, value = f"lt-leases-{uuid.uuid4().hex}", uuid.uuid4().hex
    caches_setting = {"default": {"BACKEND": backend, "LOCATION": REDIS_URL}}
    workers = [
        context.Process(
            target=lease_together,
            args=(caches_setting, value, group, LIMIT, ATTEMPTS, barrier, results),
            daemon=True,
        )
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    reports = {"taken": [], "given back": []}
    try:
        for _ in range(2 * PROCESSES):
            kind, seen = results.get(timeout=60)
            assert kind != "error", seen
            reports[kind].append(seen)
    except queue.Empty:
        pytest.fail("a leasing process did not report within 60 s")
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()

    connection = redis.Redis.from_url(REDIS_URL)
    with override_settings(CACHES=caches_setting):
        key = caches["default"].make_key(lease_slot(group, value, ALL, 60).cache_key)
    try:
        counts = [count for seen in reports["taken"] for count in seen]
        admitted = sorted(count for count in counts if count <= LIMIT)
        assert admitted == list(range(1, LIMIT + 1))
        assert len(counts) == PROCESSES * ATTEMPTS
        assert reports["given back"] == [ATTEMPTS] * PROCESSES
        assert connection.exists(key) == 0
    finally:
        connection.delete(key)


# --- balances on PostgreSQL -----------------------------------------------------------

THREADS = 8
CHARGES = 25
# tests.settings adds the alias only when PostgreSQL answers; without it require_postgres()
# skips (or fails in CI). Decided as the settings do, without reading them at import.
POSTGRES_DATABASES = (
    ["default", "postgres"] if reachable(POSTGRES_HOST, POSTGRES_PORT) else ["default"]
)


def charge_in_threads(attempt, amounts):
    """Each thread charges its amount CHARGES times, all released together; their results."""
    barrier = threading.Barrier(len(amounts))
    results = [[] for _ in amounts]
    errors = []

    def work(index, amount):
        try:
            barrier.wait(timeout=30)
            results[index] = [attempt(amount) for _ in range(CHARGES)]
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(index, amount)) for index, amount in enumerate(amounts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a charging thread hung"
    assert errors == []
    return results


def postgres_wallet(balance):
    from tests.models import Wallet

    owner = f"wallet-{uuid.uuid4().hex[:8]}"
    return Wallet.objects.using("postgres").create(owner=owner, balance=balance)


def final_balance(wallet):
    from tests.models import Wallet

    return Wallet.objects.using("postgres").get(pk=wallet.pk).balance


@pytest.mark.django_db(databases=POSTGRES_DATABASES, transaction=True)
@pytest.mark.parametrize(
    ("amounts", "admitted", "left"),
    [
        pytest.param([1] * THREADS, 100, 0, id="ones"),
        pytest.param([3] * THREADS, 33, 1, id="threes"),
        pytest.param([7] * THREADS, 14, 2, id="sevens"),
    ],
)
def test_concurrent_charges_take_exactly_the_balance(amounts, admitted, left):
    require_postgres()
    from tests.models import Wallet

    wallet = postgres_wallet(100)
    rows = Wallet.objects.using("postgres").filter(pk=wallet.pk)

    results = charge_in_threads(lambda amount: charge(rows, "balance", amount), amounts)

    assert sum(sum(thread) for thread in results) == admitted
    assert final_balance(wallet) == left


@pytest.mark.django_db(databases=POSTGRES_DATABASES, transaction=True)
def test_concurrent_uneven_charges_lose_nothing_and_never_overdraw():
    require_postgres()
    from tests.models import Wallet

    amounts = [1, 2, 3, 5, 7, 11, 2, 3]
    wallet = postgres_wallet(100)
    rows = Wallet.objects.using("postgres").filter(pk=wallet.pk)

    results = charge_in_threads(lambda amount: charge(rows, "balance", amount), amounts)

    taken = sum(amount * sum(thread) for amount, thread in zip(amounts, results, strict=True))
    left = final_balance(wallet)
    assert taken + left == 100
    assert left >= 0
    # A thread refused once saw less than its amount; the balance only went down after that.
    refused = [amount for amount, thread in zip(amounts, results, strict=True) if not all(thread)]
    assert refused
    assert left < min(refused)


@pytest.mark.django_db(databases=POSTGRES_DATABASES, transaction=True)
def test_concurrent_charges_through_the_balance_hook():
    require_postgres()
    from tests.limits_views import PostgresWalletBalance

    wallet = postgres_wallet(100)
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {wallet.owner}")
    hook = PostgresWalletBalance()

    results = charge_in_threads(lambda amount: hook.charge(request, amount), [1] * THREADS)

    assert sum(sum(thread) for thread in results) == 100
    assert final_balance(wallet) == 0
    hook.refund(request, 5)
    assert final_balance(wallet) == 5
