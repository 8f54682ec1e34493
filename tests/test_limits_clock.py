"""Whose clock windows follow (``LIMITS_CLOCK``): with ``"store"``, servers whose clocks
are minutes apart count in one window and get one ``Retry-After``, because Redis derives
the window from its own ``TIME``; with ``"app"`` (django-ratelimit's way) they do not."""

from __future__ import annotations

import calendar
import random
import re
import time
import uuid
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
import redis
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.core.checks import run_checks
from django.test import override_settings
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core

from api_errors.limits import QuotaPolicy, algorithms, counters, policies, store
from api_errors.limits.algorithms import StoreClockWindow
from api_errors.limits.counters import fixed_window_slot, store_window_slot
from tests.services import REDIS_URL, redis_caches, require_redis

# The servers' clocks are the test's to set.
pytestmark = [pytest.mark.urls("tests.urls_async_limits"), pytest.mark.real_clock]

# The modules whose ``time.time()`` is the app server's clock.
APP_CLOCK_READERS = (ratelimit_core, policies, counters, store, algorithms)
MINUTES = 60
ENTRIES = ("sync", "async")


class ShiftedTime:
    """The ``time`` module of a server whose clock is ``offset`` seconds off."""

    def __init__(self, offset):
        self.offset = offset

    def time(self):
        return time.time() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def server(monkeypatch):
    """``with server(offset):`` the app code reads a clock ``offset`` seconds off."""

    @contextmanager
    def clock_off_by(offset):
        with monkeypatch.context() as patch:
            for module in APP_CLOCK_READERS:
                patch.setattr(module, "time", ShiftedTime(offset))
            yield

    return clock_off_by


@pytest.fixture
def on_redis(settings):
    require_redis()
    settings.CACHES = redis_caches()


def clocked(settings, clock):
    settings.API_ERRORS = {"LIMITS_CLOCK": clock, "RATE_LIMIT_HEADERS_ON_SUCCESS": True}


def send(client, async_client, entry, name, who):
    if entry == "async":
        return async_to_sync(async_client.get)(
            f"/api/async-limits/{name}/", headers={"X-Client": who}
        )
    return client.get(f"/api/sync-limits/{name}/", headers={"X-Client": who})


def reset_seconds(response):
    return int(re.search(r";t=(\d+)", response["RateLimit"])[1])


def window_frees_at(value, period):
    """When django-ratelimit's window of ``value`` frees, by the real clock (Redis's)."""
    return ratelimit_core._get_window(value, period) + 1


@pytest.mark.parametrize("entry", ENTRIES)
def test_servers_minutes_apart_count_in_one_window_on_the_stores_clock(
    client, async_client, settings, on_redis, server, entry
):
    clocked(settings, "store")
    who = uuid.uuid4().hex

    started = time.time()
    with server(0):
        first = [send(client, async_client, entry, "five-minutes", who) for _ in range(2)]
    with server(7 * MINUTES):
        ahead = send(client, async_client, entry, "five-minutes", who)
    with server(-4 * MINUTES):
        behind = send(client, async_client, entry, "five-minutes", who)
    ended = time.time()

    assert [r.status_code for r in first] == [200, 200]
    assert [ahead.status_code, behind.status_code] == [429, 429]
    # One window, one moment it frees, whichever server tells: each answer's whole seconds
    # lie between the wait left when the test ended and one more than when it started.
    frees_at = window_frees_at(who, 5 * MINUTES)
    for seconds in [
        int(ahead["Retry-After"]),
        int(behind["Retry-After"]),
        reset_seconds(ahead),
        reset_seconds(behind),
        reset_seconds(first[1]),
    ]:
        assert frees_at - ended - 0.01 <= seconds <= frees_at - started + 1


@pytest.mark.parametrize("entry", ENTRIES)
def test_negative_control_on_the_apps_clock_each_server_has_its_own_window(
    client, async_client, settings, on_redis, server, entry
):
    clocked(settings, "app")
    who = uuid.uuid4().hex

    with server(0):
        first = [send(client, async_client, entry, "five-minutes", who) for _ in range(2)]
    with server(7 * MINUTES):
        ahead = [send(client, async_client, entry, "five-minutes", who) for _ in range(2)]

    # Seven minutes on, the server is in a later five-minute window: twice the limit passes.
    assert [r.status_code for r in first + ahead] == [200] * 4


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize(("clock", "shifted"), [("store", False), ("app", True)])
def test_a_monthly_quotas_retry_after_is_the_stores_month(
    client, async_client, settings, on_redis, server, entry, clock, shifted
):
    """A server seven minutes ahead: the store's month ends when Redis says it does."""
    clocked(settings, clock)
    who = uuid.uuid4().hex

    with server(7 * MINUTES):
        responses = [send(client, async_client, entry, "month", who) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 403]
    now = datetime.now(timezone.utc)
    next_month = calendar.timegm((now.year + now.month // 12, now.month % 12 + 1, 1, 0, 0, 0))
    by_store = next_month - time.time()
    retry_after = int(responses[2]["Retry-After"])
    # Within a minute of the store's end of month: seven minutes off on the app's clock.
    assert (abs(retry_after - by_store) < 60) is not shifted


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_fixed_period_quota_follows_the_stores_clock(
    client, async_client, settings, on_redis, server, entry
):
    clocked(settings, "store")
    who = uuid.uuid4().hex

    started = time.time()
    with server(-9 * MINUTES):
        responses = [send(client, async_client, entry, "thirty-days", who) for _ in range(3)]
    ended = time.time()

    assert [r.status_code for r in responses] == [200, 200, 403]
    frees_at = window_frees_at(who, 30 * 86400)
    assert frees_at - ended - 0.01 <= int(responses[2]["Retry-After"]) <= frees_at - started + 1


def redis_connection():
    return redis.Redis.from_url(REDIS_URL)


def test_the_key_names_no_window_and_is_one_cluster_slot(settings, on_redis):
    clocked(settings, "store")
    who = uuid.uuid4().hex
    slot = store_window_slot("al-five-minutes", 5 * MINUTES, who, ALL)
    key = caches["default"].make_key(slot.cache_key)

    from django.test import Client

    Client().get("/api/sync-limits/five-minutes/", headers={"X-Client": who})

    assert re.fullmatch(r":1:rl:fixed:\{[0-9a-f]{64}\}", key)
    connection = redis_connection()
    try:
        stored = connection.hgetall(key)
        frees = int(stored[b"frees"])
        assert int(stored[b"count"]) == 1
        assert frees == ratelimit_core._get_window(who, 5 * MINUTES) + 1
        # Kept until the window frees, and a little longer, by Redis's own clock.
        expected_ttl = frees + counters.EXPIRATION_FUDGE - time.time()
        assert abs(connection.ttl(key) - expected_ttl) <= 1
    finally:
        connection.delete(key)


def test_a_window_that_frees_later_than_the_clock_says_is_never_reopened(settings, on_redis):
    """After a failover to a server whose clock is behind, the stored window is kept."""
    clocked(settings, "store")
    who = uuid.uuid4().hex
    slot = store_window_slot("al-five-minutes", 5 * MINUTES, who, ALL)
    key = caches["default"].make_key(slot.cache_key)
    later = int(time.time()) + 3600
    connection = redis_connection()
    connection.hset(key, mapping={"frees": later, "count": 2})
    try:
        from django.test import Client

        response = Client().get("/api/sync-limits/five-minutes/", headers={"X-Client": who})
        assert response.status_code == 429
        assert abs(int(response["Retry-After"]) - (later - time.time())) <= 1
        assert int(connection.hget(key, "count")) == 3
    finally:
        connection.delete(key)


@pytest.mark.parametrize(("clock", "policy_statuses"), [("store", [200, 200]), ("app", [200, 429])])
def test_only_the_apps_clock_shares_counters_with_ratelimit(
    client, settings, on_redis, monkeypatch, clock, policy_statuses
):
    """``@ratelimit`` keeps the app's windows and keys (both views: 2 a minute per address)."""
    clocked(settings, clock)
    monkeypatch.setattr(ratelimit_core, "time", At(time.time()))  # no window ends meanwhile
    shared = fixed_window_slot("lt-shared", "2/m", "127.0.0.1", ALL).cache_key
    own = store_window_slot("lt-shared", 60, "127.0.0.1", ALL).cache_key
    caches["default"].delete_many([shared, own])

    with override_settings(ROOT_URLCONF="tests.urls_limits"):
        by_ratelimit = client.get("/api/limits/shared/ratelimit/").status_code
        by_policy = [client.get("/api/limits/shared/policy/").status_code for _ in range(2)]

    assert by_ratelimit == 200
    assert by_policy == policy_statuses
    caches["default"].delete_many([shared, own])


def test_a_quota_reset_forgets_the_stores_window(settings, on_redis):
    clocked(settings, "store")
    policy = QuotaPolicy(group="al-reset", key="header:x-client", limit=2, period="30d")
    who = uuid.uuid4().hex
    from django.test import RequestFactory

    request = RequestFactory().get("/", headers={"X-Client": who})
    assert [policy.count(request).count for _ in range(2)] == [1, 2]

    policy.reset(who, 2)

    assert policy.count(request).count == 1
    policy.reset(who, 2)


def test_without_redis_store_keeps_the_apps_windows_and_the_check_warns(client, settings):
    clocked(settings, "store")
    caches["default"].clear()
    who = uuid.uuid4().hex

    statuses = [
        client.get("/api/sync-limits/five-minutes/", headers={"X-Client": who}).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    [message] = [m for m in run_checks() if m.id == "api_errors.W008"]
    assert not message.is_serious()
    assert "'default'" in message.msg
    assert message.hint


@pytest.mark.parametrize(
    ("caches_setting", "clock"),
    [
        pytest.param(redis_caches(), "store", id="store-on-redis"),
        pytest.param(redis_caches("django_redis.cache.RedisCache"), "store", id="django-redis"),
        pytest.param(None, "app", id="app-on-local-memory"),
    ],
)
def test_a_clock_that_can_be_followed_is_not_reported(settings, caches_setting, clock):
    if caches_setting is not None:
        settings.CACHES = caches_setting
    clocked(settings, clock)

    clock_ids = {"api_errors.E047", "api_errors.W008"}
    assert [m.id for m in run_checks() if m.id in clock_ids] == []


# --- the window arithmetic in Lua, on a real Redis --------------------------------------


class At:
    """django-ratelimit's ``time`` module, stopped at ``moment``."""

    def __init__(self, moment):
        self.moment = moment

    def time(self):
        return self.moment


WINDOW_FREES = (
    StoreClockWindow.functions
    + "return window_frees(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))"
)


def month_starts():
    for year in (1970, 1999, 2000, 2024, 2025, 2100, 2400):
        for month in range(1, 13):
            start = calendar.timegm((year, month, 1, 0, 0, 0))
            following = calendar.timegm((year + month // 12, month % 12 + 1, 1, 0, 0, 0))
            yield start, following


def test_the_script_frees_a_calendar_month_at_the_next_months_first_second():
    require_redis()
    connection = redis_connection()
    moments = [
        (moment, following)
        for start, following in month_starts()
        for moment in (start, start + 1, (start + following) // 2, following - 1)
    ]

    frees = [connection.eval(WINDOW_FREES, 0, moment, 0, 0) for moment, _ in moments]

    assert frees == [following for _, following in moments]


def test_the_script_frees_a_window_where_django_ratelimits_would_end(monkeypatch):
    require_redis()
    connection = redis_connection()
    chooser = random.Random(20260509)
    periods = [1, 2, 10, 60, 300, 3600, 86400, 30 * 86400]
    cases = [
        (chooser.choice(periods), f"client-{chooser.getrandbits(64):x}", chooser.randrange(2**32))
        for _ in range(300)
    ]

    expected, frees = [], []
    for period, value, moment in cases:
        monkeypatch.setattr(ratelimit_core, "time", At(moment))
        expected.append(ratelimit_core._get_window(value, period) + 1)
        offset = zlib.crc32(value.encode()) % period
        frees.append(connection.eval(WINDOW_FREES, 0, moment, period, offset))

    assert frees == expected
