"""Concurrency limits through the test client: N requests in progress are admitted and the
next refused, a place comes back when the response is done (returned, raised, or a stream
closed early), a dead worker's lease expires, and the refusal's fields and bodies are
honest, on local memory and on Redis, from plain, async and DRF views.

A request held in its view (``tests.concurrency_views.Hold``) runs in a thread of its own
with a client of its own, so the test can send the next request while it is in progress.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager

import jsonschema
import pytest
import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.test import Client, RequestFactory, override_settings
from django_ratelimit import ALL

from api_errors.exceptions import RateLimited
from api_errors.limits import ConcurrencyPolicy, RateLimitPolicy, concurrency_limit, enforce
from api_errors.limits.counters import lease_slot
from api_errors.limits.store import counter_store
from tests.concurrency_views import HOLDS, Hold
from tests.example.support import free_port, stop
from tests.services import redis_caches, require_redis

pytestmark = pytest.mark.urls("tests.urls_concurrency")

QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded"
REDUCED_CAPACITY = "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity"
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings):
    """Local memory (the tests' cache) or Redis."""
    if request.param == "redis":
        require_redis()
        settings.CACHES = redis_caches()
    return request.param


def new_client():
    return uuid.uuid4().hex


def get(client, path, who, **headers):
    return client.get(path, headers={"X-Client": who, **headers})


@contextmanager
def in_progress(path, who, count):
    """``count`` requests to ``path`` as ``who``, each held in the view by a thread with a
    client of its own. Yields the list their responses fill once released, on exit."""
    holds = {uuid.uuid4().hex: Hold() for _ in range(count)}
    responses = []

    def send(name):
        response = get(Client(raise_request_exception=False), path, who, **{"X-Hold": name})
        responses.append(response)

    HOLDS.update(holds)
    threads = [threading.Thread(target=send, args=(name,)) for name in holds]
    try:
        for thread in threads:
            thread.start()
        for hold in holds.values():
            assert hold.entered.wait(5), "a request meant to be in progress was not admitted"
        yield responses
    finally:
        for hold in holds.values():
            hold.release.set()
        for thread in threads:
            thread.join(10)
        for name in holds:
            HOLDS.pop(name, None)


# --- N in progress, the next one refused ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/concurrency/plain/",
        "/api/concurrency/drf-decorated/",
        "/api/concurrency/drf-throttled/",
    ],
)
def test_two_in_progress_are_admitted_and_a_third_refused(client, backend, path):
    who = new_client()

    with in_progress(path, who, 2) as held:
        refused = get(client, path, who)
        other_client = get(client, path, new_client())

    assert refused.status_code == 429
    assert other_client.status_code == 200  # per key
    assert [response.status_code for response in held] == [200, 200]
    # Both places came back with the responses.
    with in_progress(path, who, 2) as held_again:
        pass
    assert [response.status_code for response in held_again] == [200, 200]


async def test_an_async_view_admits_two_in_progress_and_refuses_a_third(async_client, backend):
    path, who = "/api/concurrency/async/", new_client()
    holds = {uuid.uuid4().hex: Hold() for _ in range(2)}
    HOLDS.update(holds)
    try:
        sent = [
            asyncio.create_task(async_client.get(path, headers={"X-Client": who, "X-Hold": name}))
            for name in holds
        ]
        for hold in holds.values():
            assert await asyncio.to_thread(hold.entered.wait, 5)
        refused = await async_client.get(path, headers={"X-Client": who})
        for hold in holds.values():
            hold.release.set()
        held = await asyncio.gather(*sent)
    finally:
        for name in holds:
            HOLDS.pop(name, None)

    assert refused.status_code == 429
    assert [response.status_code for response in held] == [200, 200]
    again = [await async_client.get(path, headers={"X-Client": who}) for _ in range(3)]
    assert [response.status_code for response in again] == [200, 200, 200]


def test_requests_one_after_another_never_wait(client, backend):
    who = new_client()
    statuses = [get(client, "/api/concurrency/plain/", who).status_code for _ in range(5)]
    assert statuses == [200] * 5


def test_threads_of_one_process_are_admitted_exactly_the_limit(backend):
    """Sixteen threads released together on one key with a limit of five."""
    policy = ConcurrencyPolicy(group="cc-exact", key="header:x-client", limit=5, lease_seconds=30)
    who, barrier, admitted = new_client(), threading.Barrier(16), []

    def take():
        request = RequestFactory().get("/", HTTP_X_CLIENT=who)
        barrier.wait()
        try:
            policy.enforce(request)
        except RateLimited:
            return
        admitted.append(request)

    threads = [threading.Thread(target=take) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(admitted) == 5


# --- the place comes back -----------------------------------------------------------------


def test_a_raising_view_gives_its_place_back(client, backend):
    path, who = "/api/concurrency/raises/", new_client()  # one at a time

    with in_progress(path, who, 1) as held:
        refused = get(client, path, who)

    assert refused.status_code == 429
    assert [response.status_code for response in held] == [500]
    assert [get(client, path, who).status_code for _ in range(2)] == [500, 500]


@pytest.mark.parametrize(
    "path", ["/api/concurrency/drf-decorated/", "/api/concurrency/drf-throttled/"]
)
def test_a_drf_view_raising_gives_its_place_back(client, backend, path):
    who = new_client()
    statuses = [get(client, f"{path}?missing=1", who).status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    with in_progress(path, who, 2) as held:
        pass
    assert [response.status_code for response in held] == [200, 200]


def test_a_stream_holds_its_place_until_closed_early(client, backend, db):
    """(``db``: closing a response sends ``request_finished``, whose receiver looks at the
    database connections.)"""
    path, who = "/api/concurrency/stream/", new_client()  # one at a time

    streaming = get(client, path, who)
    assert streaming.status_code == 200
    chunks = iter(streaming.streaming_content)
    assert next(chunks) == b"one"
    assert get(client, path, who).status_code == 429  # still being sent
    streaming.close()  # the client went away after one chunk

    read_to_the_end = get(client, path, who)
    assert read_to_the_end.status_code == 200
    assert b"".join(read_to_the_end.streaming_content) == b"onetwothree"
    # The test client closes a stream read to its end, as a server does.
    assert get(client, path, who).status_code == 200


async def test_an_async_stream_holds_its_place_until_closed(async_client, backend):
    path, headers = "/api/concurrency/async-stream/", {"X-Client": new_client()}

    streaming = await async_client.get(path, headers=headers)
    chunks = aiter(streaming.streaming_content)
    assert await anext(chunks) == b"one"
    assert (await async_client.get(path, headers=headers)).status_code == 429
    await asyncio.to_thread(streaming.close)

    assert (await async_client.get(path, headers=headers)).status_code == 200


def test_a_refusal_by_a_later_limit_gives_the_place_back(client, backend, monkeypatch):
    from tests.test_limits_algorithms import urlconf_with

    who = new_client()
    view = enforce(
        ConcurrencyPolicy(group="cc-then-rate", key="header:x-client", limit=1),
        RateLimitPolicy(group="cc-then-rate-r", key="header:x-client", rate="1/m"),
    )(lambda request: JsonResponse({"ok": True}))

    with override_settings(ROOT_URLCONF=urlconf_with(monkeypatch, view)):
        statuses = [get(client, "/api/0/", who).status_code for _ in range(3)]

    assert statuses == [200, 429, 429]
    slot = lease_slot("cc-then-rate", who, ALL, 60)
    assert held_leases(slot) == 0


def held_leases(slot):
    """How many leases the store holds for ``slot`` (expired or not)."""
    cache = caches["default"]
    if type(cache).__module__.startswith("django.core.cache.backends.redis"):
        client = redis.Redis.from_url(cache._servers[0])
        return client.zcard(cache.make_key(slot.cache_key))
    return len(cache.get(slot.cache_key) or {})


# --- a worker that dies holding a place -----------------------------------------------------


def die_holding_a_place(who):
    """What a worker killed mid-request leaves: a lease taken and never given back."""
    policy = ConcurrencyPolicy(group="cc-short", key="header:x-client", limit=1, lease_seconds=0.5)
    policy.enforce(RequestFactory().get("/", HTTP_X_CLIENT=who))


def test_a_dead_workers_lease_expires_on_local_memory(client, clock):
    path, who = "/api/concurrency/short/", new_client()
    die_holding_a_place(who)

    clock.now += 0.4
    assert get(client, path, who).status_code == 429
    clock.now += 0.2
    assert get(client, path, who).status_code == 200
    # The expired lease is gone from the cache, and this one went back.
    assert held_leases(lease_slot("cc-short", who, ALL, 0.5)) == 0


@pytest.mark.slow
def test_a_dead_workers_lease_expires_on_redis(client, settings):
    require_redis()
    settings.CACHES = redis_caches()
    path, who = "/api/concurrency/short/", new_client()
    die_holding_a_place(who)
    slot = lease_slot("cc-short", who, ALL, 0.5)
    cache = caches["default"]
    server = redis.Redis.from_url(cache._servers[0])

    assert get(client, path, who).status_code == 429
    # The set expires with its last lease.
    assert 0 < server.pttl(cache.make_key(slot.cache_key)) <= 1500
    time.sleep(0.6)
    assert get(client, path, who).status_code == 200
    assert held_leases(slot) == 0


# --- what the refusal says ------------------------------------------------------------------


def test_the_refusal_names_the_limit_and_its_unit(client, backend):
    path, who = "/api/concurrency/plain/", new_client()
    with in_progress(path, who, 2):
        refused = get(client, path, who)

    assert refused["RateLimit-Policy"] == '"cc-plain";q=2;qu="concurrent-requests"'
    assert refused["RateLimit"] == '"cc-plain";r=0'
    # A place frees when a request finishes, which no one knows in advance: a short hint.
    assert refused["Retry-After"] == "1"


def test_retry_after_is_when_the_oldest_lease_expires_when_sooner_than_the_hint(client, backend):
    path, who = "/api/concurrency/hint/", new_client()  # a lease of 3 s, a hint of 10 s
    with in_progress(path, who, 1):
        refused = get(client, path, who)
    # The 3 s lease, less the moment between taking it and the refusal, rounded up.
    assert refused["Retry-After"] in ("2", "3")


def test_admitted_responses_show_the_places_left(client, backend, settings):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    path, who = "/api/concurrency/plain/", new_client()

    with in_progress(path, who, 1):
        second = get(client, path, who)

    assert second.status_code == 200
    assert second["RateLimit-Policy"] == '"cc-plain";q=2;qu="concurrent-requests"'
    assert second["RateLimit"] == '"cc-plain";r=0'
    assert get(client, path, who)["RateLimit"] == '"cc-plain";r=1'


def test_without_the_fields_only_retry_after_is_sent(client, settings):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS": False}
    path, who = "/api/concurrency/plain/", new_client()
    with in_progress(path, who, 2):
        refused = get(client, path, who)
    assert refused.status_code == 429
    assert "RateLimit" not in refused
    assert "RateLimit-Policy" not in refused
    assert refused["Retry-After"] == "1"


def test_the_status_style_body_is_the_usual_429(client, settings):
    settings.API_ERRORS = {"STYLE": "status"}
    path, who = "/api/concurrency/plain/", new_client()
    with in_progress(path, who, 2):
        refused = get(client, path, who)
    assert refused.json() == {
        "status": False,
        "error_code": 67200007,
        "error_message": "Exceeded the call limit, call failed!",
    }


def test_a_limit_that_does_not_apply_takes_no_place(client):
    who = new_client()
    with in_progress("/api/concurrency/post-only/", who, 1):
        assert get(client, "/api/concurrency/post-only/", who).status_code == 200
    for _ in range(3):
        plan = get(client, "/api/concurrency/plan/", who)
        assert plan.status_code == 200
        assert "RateLimit" not in plan


# --- shadow mode ----------------------------------------------------------------------------


def test_a_shadow_limit_admits_counts_and_logs(client, backend, caplog):
    path, who = "/api/concurrency/shadow/", new_client()  # one at a time, in shadow
    caplog.set_level(logging.WARNING, logger="api_errors")

    with in_progress(path, who, 1) as held:
        past = get(client, path, who)
        with in_progress(path, who, 1) as also_held:
            third = get(client, path, who)

    assert [past.status_code, third.status_code] == [200, 200]
    assert [r.status_code for r in [*held, *also_held]] == [200, 200]
    assert past["RateLimit"] == '"cc-shadow";r=0'
    assert "Retry-After" not in past
    records = [r for r in caplog.records if "would have refused (shadow)" in r.msg]
    # Shadowed requests count too: the third came with two in progress.
    assert [(r.policy, r.count, r.limit, r.algorithm) for r in records] == [
        ("cc-shadow", 2, 1, "concurrency"),
        ("cc-shadow", 2, 1, "concurrency"),
        ("cc-shadow", 3, 1, "concurrency"),
    ]
    assert get(client, path, who).status_code == 200
    assert "RateLimit" not in get(client, path, who)  # alone again: nothing to show


# --- the problem style: the draft's types ----------------------------------------------------


def schema_for(**api_errors):
    from drf_spectacular.generators import SchemaGenerator
    from openapi_spec_validator import validate

    from tests.settings import REST_FRAMEWORK

    rest_framework = {
        **REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
    }
    with override_settings(REST_FRAMEWORK=rest_framework, API_ERRORS=api_errors):
        generated = SchemaGenerator(urlconf="tests.urls_concurrency").get_schema(public=True)
    schema = json.loads(json.dumps(generated, default=str))
    validate(schema)
    return schema


def documented(schema, path, status):
    return schema["paths"][path]["get"]["responses"][str(status)]


def body_schema(schema, path, status):
    return documented(schema, path, status)["content"]["application/problem+json"]["schema"]


@pytest.mark.parametrize(
    "path", ["/api/concurrency/drf-decorated/", "/api/concurrency/drf-throttled/"]
)
def test_a_problem_refusal_is_quota_exceeded_naming_the_limit(client, settings, path):
    settings.API_ERRORS = {"STYLE": "problem"}
    who = new_client()
    with in_progress(path, who, 2):
        refused = get(client, path, who)

    group = "cc-drf" if "decorated" in path else "cc-throttle"
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == {
        "type": QUOTA_EXCEEDED,
        "title": "Quota Exceeded",
        "status": 429,
        "detail": "Quota or usage limit exceeded",
        "instance": path,
        "code": "QUOTA_EXCEEDED",
        "violated-policies": [group],
    }
    jsonschema.validate(refused.json(), body_schema(schema_for(STYLE="problem"), path, 429))


def test_the_schema_documents_the_refusal_the_member_and_the_outage():
    schema = schema_for(STYLE="problem", LIMITS_FAIL_OPEN=False)
    path = "/api/concurrency/drf-decorated/"

    refusal = documented(schema, path, 429)
    assert refusal["headers"]["RateLimit-Policy"]["description"] == (
        'The limits: "cc-drf";q=2;qu="concurrent-requests" (requests in progress).'
    )
    assert "Retry-After" in refusal["headers"]
    properties = body_schema(schema, path, 429)["properties"]
    assert properties["type"]["enum"] == [QUOTA_EXCEEDED, "about:blank"]
    assert properties["violated-policies"]["items"]["enum"] == ["cc-drf"]
    example = refusal["content"]["application/problem+json"]["example"]
    assert example["type"] == QUOTA_EXCEEDED
    assert example["violated-policies"] == ["cc-drf"]

    outage = documented(schema, path, 503)
    outage_properties = body_schema(schema, path, 503)["properties"]
    assert outage_properties["type"]["enum"] == [REDUCED_CAPACITY, "about:blank"]
    assert outage_properties["violated-policies"]["items"]["enum"] == ["cc-drf"]
    assert outage["content"]["application/problem+json"]["example"]["type"] == REDUCED_CAPACITY
    assert "RateLimit-Policy" not in outage["headers"]


def test_the_schema_of_other_styles_and_of_fail_open_has_no_member():
    status_style = schema_for(STYLE="status", LIMITS_FAIL_OPEN=False)
    path = "/api/concurrency/drf-throttled/"
    properties = documented(status_style, path, 429)["content"]["application/json"]["schema"][
        "properties"
    ]
    assert "violated-policies" not in properties
    assert (
        "503"
        not in schema_for(STYLE="problem", LIMITS_FAIL_OPEN=True)["paths"][path]["get"]["responses"]
    )
    off = schema_for(STYLE="problem", LIMIT_PROBLEM_TYPES=False)
    assert "violated-policies" not in body_schema(off, path, 429)["properties"]


def test_a_type_uri_template_keeps_the_drafts_type_for_limits(client, settings):
    template = "https://example.com/errors#{code}"
    settings.API_ERRORS = {"STYLE": "problem", "PROBLEM_TYPE_URI": template}
    path, who = "/api/concurrency/drf-decorated/", new_client()
    with in_progress(path, who, 2):
        refused = get(client, path, who)
    missing = get(client, f"{path}?missing=1", who)

    assert refused.json()["type"] == QUOTA_EXCEEDED
    assert missing.json()["type"] == "https://example.com/errors#NOT_FOUND"
    schema = schema_for(STYLE="problem", PROBLEM_TYPE_URI=template)
    assert body_schema(schema, path, 429)["properties"]["type"]["enum"] == [
        QUOTA_EXCEEDED,
        "https://example.com/errors#QUOTA_EXCEEDED",
    ]
    jsonschema.validate(refused.json(), body_schema(schema, path, 429))


def test_limit_problem_types_off_gives_limits_the_usual_type(client, settings):
    settings.API_ERRORS = {"STYLE": "problem", "LIMIT_PROBLEM_TYPES": False}
    path, who = "/api/concurrency/drf-decorated/", new_client()
    with in_progress(path, who, 2):
        refused = get(client, path, who)

    body = refused.json()
    assert (body["type"], body["title"]) == ("about:blank", "Too Many Requests")
    assert "violated-policies" not in body


# --- the store down ---------------------------------------------------------------------------


def closed_store(settings, **api_errors):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
        }
    }
    settings.API_ERRORS = api_errors


@pytest.mark.parametrize(
    "path", ["/api/concurrency/drf-decorated/", "/api/concurrency/drf-throttled/"]
)
def test_failing_closed_is_temporary_reduced_capacity(client, settings, path):
    closed_store(settings, STYLE="problem", LIMITS_FAIL_OPEN=False)

    response = get(client, path, new_client())

    group = "cc-drf" if "decorated" in path else "cc-throttle"
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "type": REDUCED_CAPACITY,
        "title": "Temporary Reduced Capacity",
        "status": 503,
        "detail": "Unexpected server-side error",
        "instance": path,
        "code": "INTERNAL_ERROR",
        "violated-policies": [group],
    }
    schema = schema_for(STYLE="problem", LIMITS_FAIL_OPEN=False)
    jsonschema.validate(response.json(), body_schema(schema, path, 503))


@pytest.mark.parametrize("path", ["/api/concurrency/plain/", "/api/concurrency/shadow/"])
def test_failing_open_and_shadow_admit_without_a_place(client, settings, path):
    closed_store(settings, LIMITS_FAIL_OPEN=path.endswith("plain/"))
    assert [get(client, path, new_client()).status_code for _ in range(3)] == [200] * 3


@pytest.fixture
def own_redis(tmp_path, settings):
    """A redis-server of the test's own on a free port, stopped by its process id."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    server = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            server.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    settings.CACHES = redis_caches(url=f"redis://127.0.0.1:{port}/0")
    yield process
    if process.poll() is None:
        stop(process)


def test_a_place_held_when_the_store_goes_down_is_left_to_expire(client, own_redis, caplog):
    path, who = "/api/concurrency/plain/", new_client()

    with in_progress(path, who, 1) as held:
        stop(own_redis)  # the request is answered, but its lease cannot be given back

    assert [response.status_code for response in held] == [200]
    records = [r for r in caplog.records if r.name == "api_errors" and r.levelno >= logging.WARNING]
    assert [r.getMessage().split(" (")[0] for r in records] == [
        "limits store 'default' unavailable"
    ]


# --- declaring one -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"limit": -1}, "the limit must be a whole number"),
        ({"limit": 1.5}, "the limit must be a whole number"),
        ({"limit": True}, "the limit must be a whole number"),
        ({"limit": 1, "lease_seconds": 0}, "lease_seconds must be a positive number"),
        ({"limit": 1, "lease_seconds": float("inf")}, "lease_seconds must be a positive number"),
        ({"limit": 1, "lease_seconds": "60"}, "lease_seconds must be a number"),
        ({"limit": 1, "retry_after": 0}, "retry_after must be a whole number"),
        ({"limit": 1, "retry_after": 1.5}, "retry_after must be a whole number"),
    ],
)
def test_a_malformed_limit_is_refused_where_it_is_declared(options, problem):
    with pytest.raises(ImproperlyConfigured, match=problem):
        concurrency_limit(group="cc-bad", **options)


@pytest.mark.parametrize("options", [{"algorithm": "sliding"}, {"burst": 2}])
def test_a_concurrency_policy_takes_no_algorithm(options):
    with pytest.raises(ImproperlyConfigured, match="takes no algorithm or burst"):
        ConcurrencyPolicy(group="cc-bad", limit=1, **options)


def test_a_callables_malformed_limit_is_a_server_error(client, monkeypatch):
    from tests.test_limits_algorithms import urlconf_with

    view = concurrency_limit(group="cc-plan-bad", key="ip", limit=lambda group, request: -2)(
        lambda request: None
    )
    with override_settings(ROOT_URLCONF=urlconf_with(monkeypatch, view)):
        response = client.get("/api/0/")
    assert response.status_code == 500


def test_the_lease_key_is_one_hash_slot_and_leaves_out_limit_and_length():
    first = lease_slot("uploads", "alice", ALL, 60).cache_key
    assert re.fullmatch(r"rl:concurrency:\{[0-9a-f]{64}\}", first)
    assert lease_slot("uploads", "alice", ALL, 5).cache_key == first
    assert lease_slot("uploads", "bob", ALL, 60).cache_key != first


def test_a_lease_is_given_back_once():
    policy = ConcurrencyPolicy(group="cc-once", key="header:x-client", limit=1)
    request = RequestFactory().get("/", HTTP_X_CLIENT=new_client())
    policy.enforce(request)
    [lease] = request.api_errors_leases
    lease.release()
    # A second enforce takes the one place; releasing the first again must not free it.
    policy.enforce(RequestFactory().get("/", HTTP_X_CLIENT=request.META["HTTP_X_CLIENT"]))
    lease.release()
    with pytest.raises(RateLimited):
        policy.enforce(RequestFactory().get("/", HTTP_X_CLIENT=request.META["HTTP_X_CLIENT"]))


def test_the_store_gives_back_a_lease_it_never_had(backend):
    slot = lease_slot("cc-never", new_client(), ALL, 60)
    counter_store().release(slot, "not-a-lease")
    assert held_leases(slot) == 0


# --- manage.py check --------------------------------------------------------------------------


def limits_check_ids(**settings):
    from api_errors.checks import check_limits

    with override_settings(**settings):
        return sorted(message.id for message in check_limits())


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("django.core.cache.backends.memcached.PyMemcacheCache", ["api_errors.W007"]),
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django_redis.cache.RedisCache", []),
        # Not shared at all: W003 says so already.
        ("django.core.cache.backends.locmem.LocMemCache", ["api_errors.W003"]),
    ],
)
def test_concurrency_outside_redis_is_exact_per_process_only(monkeypatch, backend, expected):
    from tests.test_limits_algorithms import plain, urlconf_with

    urlconf = urlconf_with(monkeypatch, plain(concurrency_limit(group="c", key="ip", limit=2)))
    caches_setting = {"default": {"BACKEND": backend, "LOCATION": "127.0.0.1:11211"}}

    assert limits_check_ids(ROOT_URLCONF=urlconf, CACHES=caches_setting) == expected


def test_w005_and_w007_each_name_their_own_limits(monkeypatch):
    from api_errors.checks import check_limits
    from api_errors.limits import rate_limit
    from tests.test_limits_algorithms import plain, urlconf_with

    urlconf = urlconf_with(
        monkeypatch,
        plain(concurrency_limit(group="cc-one", key="ip", limit=2)),
        plain(rate_limit(group="gcra-one", key="ip", rate="5/m", algorithm="gcra")),
    )
    memcached = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}}
    with override_settings(ROOT_URLCONF=urlconf, CACHES=memcached):
        messages = {message.id: message.msg for message in check_limits()}

    assert sorted(messages) == ["api_errors.W005", "api_errors.W007"]
    assert "'cc-one'" in messages["api_errors.W007"]
    assert "'cc-one'" not in messages["api_errors.W005"]


WITHOUT_OURS = [
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


def test_a_concurrency_throttle_needs_the_middleware(monkeypatch):
    from tests.test_limits_algorithms import throttled_view, urlconf_with

    urlconf = urlconf_with(monkeypatch, throttled_view(views_throttle()))
    redis_setting = redis_caches()

    assert limits_check_ids(ROOT_URLCONF=urlconf, CACHES=redis_setting) == []
    ids = limits_check_ids(ROOT_URLCONF=urlconf, CACHES=redis_setting, MIDDLEWARE=WITHOUT_OURS)
    assert ids == ["api_errors.E043"]


def test_the_decorator_gives_places_back_without_the_middleware(monkeypatch, client):
    from tests.test_limits_algorithms import plain, urlconf_with

    urlconf = urlconf_with(monkeypatch, plain(concurrency_limit(group="c", key="ip", limit=1)))
    ids = limits_check_ids(ROOT_URLCONF=urlconf, CACHES=redis_caches(), MIDDLEWARE=WITHOUT_OURS)
    assert ids == []
    with override_settings(ROOT_URLCONF=urlconf, MIDDLEWARE=WITHOUT_OURS):
        assert [client.get("/api/0/").status_code for _ in range(3)] == [200] * 3


def test_a_default_concurrency_throttle_needs_the_middleware(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": ["tests.concurrency_views.HeldThrottle"],
    }
    ids = limits_check_ids(CACHES=redis_caches(), MIDDLEWARE=WITHOUT_OURS)
    assert ids == ["api_errors.E043"]


def views_throttle():
    from tests.concurrency_views import HeldThrottle

    return HeldThrottle


# --- the Error Handling page --------------------------------------------------------------


def test_the_page_lists_each_concurrency_limit_with_how_it_counts():
    from api_errors.documentation import describe_errors
    from api_errors.limits.terms import COUNTING

    rows = {row.name: row for row in describe_errors().limits.rows}

    counting = str(COUNTING["concurrency"])
    assert (rows["cc-plain"].allowance, rows["cc-plain"].counting) == ("2 at once", counting)
    assert rows["cc-throttle"].allowance == "2 at once"
    assert rows["cc-plan"].allowance == "set per client"
    assert not rows["cc-shadow"].enforced
    assert rows["cc-shadow"].counting.startswith(counting)


def test_the_page_in_markdown_shows_the_problem_types(settings):
    from api_errors.documentation import describe_errors

    settings.API_ERRORS = {"STYLE": "problem"}
    fields = {field.name: field.description for field in describe_errors().fields}

    assert QUOTA_EXCEEDED in fields["type"]
    assert REDUCED_CAPACITY in fields["type"]
    assert "RateLimit-Policy" in fields["violated-policies"]
    settings.API_ERRORS = {"STYLE": "problem", "LIMIT_PROBLEM_TYPES": False}
    fields = {field.name: field.description for field in describe_errors().fields}
    assert "violated-policies" not in fields
    assert QUOTA_EXCEEDED not in fields["type"]


def test_a_limit_of_zero_refuses_everyone_with_the_hint(backend):
    policy = ConcurrencyPolicy(group="cc-zero", key="header:x-client", limit=0, retry_after=3)
    request = RequestFactory().get("/", HTTP_X_CLIENT=new_client())
    with pytest.raises(RateLimited) as refused:
        policy.enforce(request)
    # No lease is held, so none expires sooner than the hint.
    assert refused.value.retry_after == 3
    assert "api_errors_leases" not in request.__dict__
