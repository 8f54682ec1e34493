"""``LIMITS_REMEMBER_REFUSALS``: past its rate, a client is refused for the rest of the
window without the counter store, with the same answer the store's count would give."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory, override_settings
from django_ratelimit import ALL

from api_errors.limits import forget_refusals, policies
from api_errors.limits.counters import fixed_window_slot, limits_cache

pytestmark = pytest.mark.urls("tests.urls_limits")

PATH = "/api/limits/shared/policy/"  # rate_limit(group="lt-shared", key="ip", rate="2/m")


@pytest.fixture(autouse=True)
def fresh():
    for forget in (limits_cache().clear, forget_refusals):
        forget()
    yield
    for forget in (limits_cache().clear, forget_refusals):
        forget()


def stored_count():
    return limits_cache().get(fixed_window_slot("lt-shared", "2/m", "127.0.0.1", ALL).cache_key)


@pytest.mark.parametrize("remember", [True, False])
def test_refusals_after_the_first_need_no_store(client, settings, remember):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": remember}
    statuses = [client.get(PATH).status_code for _ in range(6)]
    assert statuses == [200, 200, 429, 429, 429, 429]
    # Remembered: the store counted up to the first refusal only; else every call.
    assert stored_count() == (3 if remember else 6)


def test_a_remembered_refusal_answers_as_the_store_would(client, settings):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": True}
    responses = [client.get(PATH) for _ in range(4)]
    from_store, remembered = responses[2], responses[3]
    for response in (from_store, remembered):
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response["RateLimit-Policy"] == from_store["RateLimit-Policy"]
        assert ";r=0;" in response["RateLimit"]
    assert remembered.json()["error_code"] == from_store.json()["error_code"]


def test_forgetting_refusals_and_counters_admits_again(client, settings):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": True}
    assert [client.get(PATH).status_code for _ in range(3)] == [200, 200, 429]
    limits_cache().clear()
    assert client.get(PATH).status_code == 429  # still remembered in this process
    forget_refusals()
    assert client.get(PATH).status_code == 200


def test_the_table_of_refusals_stays_bounded(client, settings, monkeypatch):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": True}
    monkeypatch.setattr(policies, "REFUSALS_MAX", 2)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        statuses = [client.get(PATH, REMOTE_ADDR=address).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert len(policies._refusals) <= 2


def test_quotas_are_always_counted_in_the_store():
    assert policies.RateLimitPolicy.remembers_refusals
    assert not policies.QuotaPolicy.remembers_refusals


@pytest.mark.parametrize(
    "backend", ["django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache"]
)
def test_counting_goes_on_when_redis_forgot_the_script(backend):
    """The store sends EVALSHA itself; after SCRIPT FLUSH (a restarted Redis) it loads the
    script again and the count carries on."""
    import redis

    from api_errors.limits import RateLimitPolicy
    from tests.services import redis_caches, require_redis

    url = require_redis()
    request = RequestFactory().get("/")
    policy = RateLimitPolicy(group=f"lt-flush-{backend}", key=lambda _g, _r: "one", rate="100/h")
    with override_settings(CACHES=redis_caches(backend, url)):
        limits_cache().clear()
        assert policy.count(request).count == 1
        redis.Redis.from_url(url).script_flush()
        assert policy.count(request).count == 2
        limits_cache().clear()


def test_ipv6_clients_share_their_64_as_django_ratelimit_counts_them(client):
    first = [client.get(PATH, REMOTE_ADDR="2001:db8::1").status_code for _ in range(2)]
    neighbour = client.get(PATH, REMOTE_ADDR="2001:db8::ffff").status_code
    elsewhere = client.get(PATH, REMOTE_ADDR="2001:db9::1").status_code
    assert (first, neighbour, elsewhere) == ([200, 200], 429, 200)


def test_a_configured_ip_meta_key_is_django_ratelimits_to_read(client, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    statuses = [client.get(PATH, HTTP_X_REAL_IP="192.0.2.7").status_code for _ in range(3)]
    other = client.get(PATH, HTTP_X_REAL_IP="192.0.2.8").status_code
    assert (statuses, other) == ([200, 200, 429], 200)


def slot(key, resets_at):
    return policies.Slot(cache_key=key, ttl=60, resets_at=resets_at, window_seconds=60)


def test_a_remembered_refusal_ends_when_a_slot_frees():
    policies.remember_refusal("ended", 3, 100.0)
    assert policies.remembered_refusal(slot("ended", None), now=99.0) == (3, 100.0)
    assert policies.remembered_refusal(slot("ended", None), now=100.0) is None
    assert "ended" not in policies._refusals


def test_a_counter_that_never_frees_is_never_remembered():
    policies.remember_refusal("total", 3, None)
    assert policies.remembered_refusal(slot("total", None), now=0.0) is None


def test_ended_refusals_make_room_before_the_table_is_emptied(monkeypatch):
    monkeypatch.setattr(policies, "REFUSALS_MAX", 2)
    policies.remember_refusal("old", 3, 1.0)
    policies.remember_refusal("live", 3, 1e12)
    policies.remember_refusal("new", 3, 1e12)
    assert set(policies._refusals) == {"live", "new"}


def test_a_new_cache_prefix_gives_new_window_keys(settings):
    before = fixed_window_slot("lt-prefix", "2/m", "one", ALL).cache_key
    settings.RATELIMIT_CACHE_PREFIX = "other:"
    after = fixed_window_slot("lt-prefix", "2/m", "one", ALL).cache_key
    assert before.startswith("rl:")
    assert after.startswith("other:")


@pytest.mark.parametrize("remember", [True, False])
def test_only_the_stores_refusal_of_a_window_is_logged_at_the_client_level(
    client, settings, caplog, remember
):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": remember}
    caplog.set_level(logging.DEBUG, logger="api_errors")
    statuses = [client.get(PATH).status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    levels = [r.levelname for r in caplog.records if r.__dict__.get("status_code") == 429]
    # Remembered, the repeats of a refusal are DEBUG records: a flood is one WARNING line.
    assert levels == (["WARNING", "DEBUG", "DEBUG"] if remember else ["WARNING"] * 3)


def test_a_repeated_refusal_writes_no_record_when_debug_is_off(client, settings, caplog):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": True}
    caplog.set_level(logging.INFO, logger="api_errors")
    for _ in range(5):
        client.get(PATH)
    assert [r.levelname for r in caplog.records if r.name == "api_errors"] == ["WARNING"]
