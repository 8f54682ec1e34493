"""Sliding windows and GCRA beside django-ratelimit's fixed windows: the bound each keeps
on any interval, honest fields and ``Retry-After``, bounded memory in Redis, and what a
limit they cannot count is told by ``manage.py check`` and at run time.

On local memory the tests move one clock for django-ratelimit's windows and the in-process
logs and cells (``clock``, in conftest). On Redis the scripts read the server's clock, so
those tests keep the real one and use short windows.
"""

from __future__ import annotations

import html
import json
import math
import re
import sys
import threading
import time
import types
import uuid
from dataclasses import dataclass
from io import StringIO

import pytest
import redis
from django.core.cache import caches
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core

from api_errors.checks import check_limits
from api_errors.limits import (
    Policy,
    QuotaPolicy,
    QuotaThrottle,
    RateLimitPolicy,
    RateLimitThrottle,
    enforce,
    forget_refusals,
    quota,
    rate_limit,
)
from api_errors.limits.counters import GCRA, SLIDING, rolling_slot
from api_errors.limits.inventory import url_inventory
from tests.services import REDIS_URL, redis_caches, require_redis

pytestmark = pytest.mark.urls("tests.urls_algorithms")


@pytest.fixture
def on_redis(settings):
    require_redis()
    settings.CACHES = redis_caches()


def new_client():
    return uuid.uuid4().hex


def get(client, path, who, **headers):
    return client.get(path, headers={"X-Client": who, **headers})


def retry_after(response):
    value = response["Retry-After"]
    assert re.fullmatch(r"[1-9][0-9]*", value), value
    return int(value)


def state(response):
    """``RateLimit: "name";r=..;t=..`` as (remaining, reset)."""
    match = re.fullmatch(r'"[^"]+";r=(\d+);t=(\d+)', response["RateLimit"])
    assert match, response["RateLimit"]
    return int(match.group(1)), int(match.group(2))


def admitted_at(client, clock, path, times, who=None):
    """The times (on the moved clock) at which requests to ``path`` were admitted."""
    who = who or new_client()
    admitted = []
    for moment in times:
        clock.now = moment
        response = get(client, path, who)
        assert response.status_code in (200, 429), response.status_code
        if response.status_code == 200:
            admitted.append(moment)
    return admitted


def most_in_any_interval(times, length):
    """The most admissions in any half-open interval of ``length`` seconds (one that holds
    the most can start at an admission)."""
    return max((sum(start <= t < start + length for t in times) for start in times), default=0)


def client_whose_fixed_window_frees_at(period, frees_at):
    """A client id whose django-ratelimit window frees at second ``frees_at`` (the window
    named ``w`` holds the seconds up to ``w``)."""
    for _ in range(2000):
        value = new_client()
        if ratelimit_core._get_window(value, period) + 1 == frees_at:
            return value
    raise AssertionError(f"no key whose window frees at {frees_at}")


# --- the guarantee, and the negative control -----------------------------------------


@pytest.mark.parametrize(("algorithm", "admitted"), [("fixed", 10), ("sliding", 5), ("gcra", 5)])
def test_a_burst_across_a_fixed_window_end(client, clock, algorithm, admitted):
    """Five requests just before a fixed window ends and five just after: the fixed window
    lets all ten through in under a second, twice its limit; the others keep to five."""
    start = clock.now
    who = client_whose_fixed_window_frees_at(10, int(start) + 1)
    times = [start + 0.5 + 0.1 * step for step in range(10)]

    passed = admitted_at(client, clock, f"/api/algorithms/{algorithm}/edge/", times, who)

    assert len(passed) == admitted
    assert passed[-1] - passed[0] < 1


@pytest.mark.parametrize(
    ("path", "bound"),
    [
        # At most the limit in any window.
        ("/api/algorithms/sliding/edge/", 5),
        # GCRA: limit + burst - 1 (five at once, then one each 2 s).
        ("/api/algorithms/gcra/edge/", 9),
        ("/api/algorithms/gcra/two/", 6),
    ],
)
def test_no_interval_of_the_period_admits_more_than_the_bound(client, clock, path, bound):
    start = clock.now
    times = [start + 0.25 * step for step in range(160)]  # four a second for 40 s

    passed = admitted_at(client, clock, path, times)

    assert most_in_any_interval(passed, 10) == bound


def test_the_fixed_window_breaks_the_sliding_bound_on_the_same_traffic(client, clock):
    """The negative control of the test above: the same check catches fixed windows."""
    start = clock.now
    who = client_whose_fixed_window_frees_at(10, int(start) + 1)
    times = [start + 0.5 + 0.1 * step for step in range(10)]

    passed = admitted_at(client, clock, "/api/algorithms/fixed/edge/", times, who)

    assert most_in_any_interval(passed, 10) == 10 > 5


def test_a_sliding_slot_frees_exactly_when_the_oldest_request_leaves(client, clock):
    start = clock.now
    who = new_client()
    path = "/api/algorithms/sliding/two/"  # 2 per 10 s

    assert admitted_at(client, clock, path, [start, start + 3], who) == [start, start + 3]
    assert admitted_at(client, clock, path, [start + 9.999], who) == []
    assert admitted_at(client, clock, path, [start + 10], who) == [start + 10]
    assert admitted_at(client, clock, path, [start + 12.999, start + 13], who) == [start + 13]


@pytest.mark.parametrize("algorithm", ["sliding", "gcra"])
def test_threads_of_one_process_admit_exactly_the_limit_on_local_memory(algorithm):
    """On a cache without scripts the steps run under the process's lock."""
    policy = RateLimitPolicy(
        group=f"la-threads-{uuid.uuid4().hex}",
        key=lambda _group, _request: "one",
        rate="100/h",
        algorithm=algorithm,
    )
    request = RequestFactory().get("/")
    barrier = threading.Barrier(8)
    counts = []

    def work():
        barrier.wait(timeout=30)
        seen = [policy.count(request).count for _ in range(40)]
        counts.extend(seen)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(counts) == 320
    assert sorted(count for count in counts if count <= 100) == list(range(1, 101))


@pytest.mark.slow
@pytest.mark.real_clock
@pytest.mark.parametrize(("algorithm", "admitted"), [("fixed", 10), ("sliding", 5), ("gcra", 5)])
def test_a_burst_across_a_fixed_window_end_on_redis(client, on_redis, algorithm, admitted):
    caches["default"].get("connect-before-timing")
    sleep_until_fraction(0.55, 0.65)
    who = client_whose_fixed_window_frees_at(10, math.floor(time.time()) + 1)
    path = f"/api/algorithms/{algorithm}/edge/"

    before = [get(client, path, who).status_code for _ in range(5)]
    sleep_until_fraction(0.05, 0.15)
    after = [get(client, path, who).status_code for _ in range(5)]

    assert (before + after).count(200) == admitted


def sleep_until_fraction(low, high):
    """Sleep until the current second is between ``low`` and ``high`` of the way through."""
    for _ in range(3):
        fraction = time.time() % 1
        if low <= fraction < high:
            return
        time.sleep((low + (high - low) / 4 - fraction) % 1)
    pytest.fail("could not reach the wanted point of the second")


# --- fields and Retry-After ------------------------------------------------------------


def test_sliding_fields_give_the_time_until_the_oldest_request_leaves(client, clock, settings):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    who, start, path = new_client(), clock.now, "/api/algorithms/sliding/two/"

    def at(moment):
        clock.now = start + moment
        return get(client, path, who)

    first, second, refused = at(0), at(3), at(4)
    assert [first.status_code, second.status_code, refused.status_code] == [200, 200, 429]
    assert state(first) == (1, 10)
    assert state(second) == (0, 7)  # the first one leaves at 10
    assert refused["RateLimit-Policy"] == '"la-sliding-two";q=2;w=10'
    assert state(refused) == (0, 6)
    assert retry_after(refused) == 6
    again = at(10)
    assert again.status_code == 200
    assert state(again) == (0, 3)  # now the one of second 3 is the oldest
    almost = at(12.9)
    assert almost.status_code == 429
    assert retry_after(almost) == 1
    assert at(13).status_code == 200


def test_gcra_fields_give_the_time_until_the_next_request_conforms(client, clock, settings):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    who, start, path = new_client(), clock.now, "/api/algorithms/gcra/two/"  # 5/10s, burst 2

    def at(moment):
        clock.now = start + moment
        return get(client, path, who)

    first, second, refused = at(0), at(0), at(0.5)
    assert [first.status_code, second.status_code, refused.status_code] == [200, 200, 429]
    # One request each 2 s: the burst's second place comes back 2 s after the first.
    assert state(first) == (1, 2)
    assert state(second) == (0, 2)
    assert refused["RateLimit-Policy"] == '"la-gcra-two";q=5;w=10'
    assert state(refused) == (0, 2)
    assert retry_after(refused) == 2  # 1.5 s, rounded up
    assert at(1.999).status_code == 429
    assert at(2).status_code == 200


@pytest.mark.parametrize(
    ("path", "refused_after", "seconds"),
    [("/api/algorithms/sliding/two/", 2, 10), ("/api/algorithms/gcra/two/", 2, 2)],
)
def test_fields_and_retry_after_on_redis(client, on_redis, path, refused_after, seconds):
    who = new_client()

    responses = [get(client, path, who) for _ in range(refused_after + 1)]

    assert [r.status_code for r in responses] == [200] * refused_after + [429]
    assert retry_after(responses[-1]) == seconds
    assert state(responses[-1]) == (0, seconds)


@pytest.mark.slow
@pytest.mark.real_clock
def test_waiting_sliding_retry_after_on_redis_is_enough_and_not_a_second_too_long(client, on_redis):
    """2 per 2 s. Refused 0.7 s after the first two, a client is told 2 s (1.3 s, rounded
    up); a second later it is still early and told 1; a second after that it is admitted."""
    path, who = "/api/algorithms/sliding/honest/", new_client()
    caches["default"].get("connect-before-timing")

    assert [get(client, path, who).status_code for _ in range(2)] == [200, 200]
    time.sleep(0.7)
    refused = get(client, path, who)
    assert refused.status_code == 429
    assert retry_after(refused) == 2
    time.sleep(1)
    early = get(client, path, who)
    assert early.status_code == 429
    assert retry_after(early) == 1
    time.sleep(1)
    assert get(client, path, who).status_code == 200


@pytest.mark.slow
@pytest.mark.real_clock
def test_waiting_gcra_retry_after_on_redis_is_enough(client, on_redis):
    """2 per 2 s is one a second, two at once: 0.7 s after the first two, the next place
    is 0.3 s away, told as 1 s; waiting that long is enough."""
    path, who = "/api/algorithms/gcra/honest/", new_client()
    caches["default"].get("connect-before-timing")

    assert [get(client, path, who).status_code for _ in range(2)] == [200, 200]
    time.sleep(0.7)
    refused = get(client, path, who)
    assert refused.status_code == 429
    assert retry_after(refused) == 1
    time.sleep(1)
    assert get(client, path, who).status_code == 200


def test_a_sliding_quota_over_a_fixed_period(client, clock):
    who = new_client()

    responses = [get(client, "/api/algorithms/quota-30d/", who) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 403]
    assert responses[2].json()["error_code"] == 67200002
    assert responses[2]["RateLimit-Policy"] == '"la-quota-30d";q=2;w=2592000'
    assert retry_after(responses[2]) == 30 * 86400


def test_a_remembered_sliding_refusal_answers_as_the_log_would(client, clock, settings):
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": True}
    forget_refusals()
    who, path = new_client(), "/api/algorithms/sliding/two/"
    slot = rolling_slot(SLIDING, "la-sliding-two", 10, who, ALL)
    try:
        responses = [get(client, path, who) for _ in range(2)]
        clock.now += 4
        responses += [get(client, path, who) for _ in range(2)]

        assert [r.status_code for r in responses] == [200, 200, 429, 429]
        assert retry_after(responses[2]) == retry_after(responses[3]) == 6
        assert len(caches["default"].get(slot.cache_key)) == 2
    finally:
        forget_refusals()


@pytest.mark.parametrize("algorithm", ["fixed", "sliding", "gcra"])
def test_a_limit_of_zero_refuses_everyone(client, algorithm):
    response = get(client, f"/api/algorithms/{algorithm}/plan/", new_client(), **{"X-Plan": "none"})

    assert response.status_code == 429
    assert 1 <= retry_after(response) <= 60


# --- memory ------------------------------------------------------------------------------


def redis_key(slot):
    with override_settings(CACHES=redis_caches()):
        return caches["default"].make_key(slot.cache_key)


def test_a_sliding_log_in_redis_holds_at_most_the_limit(on_redis):
    value = new_client()
    policy = RateLimitPolicy(
        group="la-memory", key=lambda _group, _request: value, rate="50/h", algorithm="sliding"
    )
    request = RequestFactory().get("/")
    key = redis_key(rolling_slot(SLIDING, "la-memory", 3600, value, ALL))
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        counts = [policy.count(request).count for _ in range(200)]

        assert sum(count <= 50 for count in counts) == 50
        assert connection.zcard(key) == 50
        # A small sorted set is a listpack: some 20 bytes an entry.
        assert connection.memory_usage(key) < 50 * 64
        assert 3600_000 < connection.pttl(key) <= 3602_000
        assert re.fullmatch(r":1:rl:sliding:\{[0-9a-f]{64}\}", key)
    finally:
        connection.delete(key)


def test_a_gcra_cell_in_redis_is_one_small_value(on_redis):
    value = new_client()
    policy = RateLimitPolicy(
        group="la-memory", key=lambda _group, _request: value, rate="1000/h", algorithm="gcra"
    )
    request = RequestFactory().get("/")
    key = redis_key(rolling_slot(GCRA, "la-memory", 3600, value, ALL))
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        counts = [policy.count(request).count for _ in range(1200)]

        assert sum(count <= 1000 for count in counts) == 1000
        assert connection.type(key) == b"string"
        # One integer and the key's name, whatever the limit.
        assert connection.memory_usage(key) < 256
        # The time it holds is an hour ahead at most: its key lasts no longer.
        assert 0 < connection.pttl(key) <= 3600_000
    finally:
        connection.delete(key)


# --- what cannot be counted ----------------------------------------------------------------


def test_a_plan_too_large_for_a_sliding_log_is_a_server_error(client):
    huge = {"X-Plan": "huge"}

    sliding = get(client, "/api/algorithms/sliding/plan/", new_client(), **huge)
    gcra = get(client, "/api/algorithms/gcra/plan/", new_client(), **huge)

    assert sliding.status_code == 500
    assert sliding.json()["error_code"] == 68300008
    assert gcra.status_code == 200


def urlconf_with(monkeypatch, *views):
    """A URLconf module serving ``views``, registered under a fresh name."""
    name = f"tests.urlconf_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    module.urlpatterns = [path(f"api/{index}/", view) for index, view in enumerate(views)]
    monkeypatch.setitem(sys.modules, name, module)
    return name


def plain(decorator):
    return decorator(lambda request: HttpResponse("ok"))


def check_ids(**settings):
    with override_settings(**settings):
        return sorted(m.id for m in run_checks() if (m.id or "").startswith("api_errors."))


def limits_check_ids(**settings):
    """The limits' checks alone: Django's own would build the caches (memcached's client
    library is not installed here)."""
    with override_settings(**settings):
        return sorted(message.id for message in check_limits())


def throttled_view(throttle):
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class View(APIView):
        throttle_classes = [throttle]

        def get(self, request):
            return Response({})

    return View.as_view()


REDIS_CACHES = redis_caches()


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        pytest.param(
            rate_limit(group="c", key="ip", rate="5/m", algorithm="leaky"), "E037", id="unknown"
        ),
        pytest.param(quota(group="c", key="ip", limit=5, algorithm="sliding"), "E037", id="month"),
        pytest.param(
            quota(group="c", key="ip", limit=5, period="total", algorithm="gcra"),
            "E037",
            id="total",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate="20000/h", algorithm="sliding"),
            "E038",
            id="sliding-too-large",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate="5/m", algorithm="gcra", burst=6),
            "E038",
            id="burst-above-limit",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate="5/m", algorithm="gcra", burst=0),
            "E038",
            id="burst-zero",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate="5/m", algorithm="sliding", burst=2),
            "E038",
            id="burst-not-gcra",
        ),
        pytest.param(
            quota(group="c", key="ip", limit=5, period="30d", algorithm="sliding"),
            None,
            id="sliding-30d-quota",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate="10000/h", algorithm="sliding"),
            None,
            id="sliding-at-the-maximum",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate="20000/h", algorithm="gcra", burst=20000),
            None,
            id="gcra-large",
        ),
        pytest.param(
            rate_limit(group="c", key="ip", rate=lambda g, r: "20000/h", algorithm="sliding"),
            None,
            id="callable-checked-when-it-answers",
        ),
    ],
)
def test_check_reports_what_an_algorithm_cannot_count(monkeypatch, declared, expected):
    urlconf = urlconf_with(monkeypatch, plain(declared))

    ids = check_ids(ROOT_URLCONF=urlconf, CACHES=REDIS_CACHES)

    assert ids == ([f"api_errors.{expected}"] if expected else [])
    if expected:
        with (
            override_settings(ROOT_URLCONF=urlconf, CACHES=REDIS_CACHES),
            pytest.raises(SystemCheckError, match=rf"api_errors\.{expected}"),
        ):
            call_command("check", stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("throttle_base", [RateLimitThrottle, QuotaThrottle])
def test_check_reads_throttle_classes_and_default_throttles(monkeypatch, settings, throttle_base):
    attributes = {"group": "c", "rate": "5/m", "limit": 5, "algorithm": "leaky"}
    throttle = type("Leaky", (throttle_base,), attributes)
    monkeypatch.setattr(sys.modules[__name__], "LeakyThrottle", throttle, raising=False)
    urlconf = urlconf_with(monkeypatch, throttled_view(throttle))
    defaults = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [f"{__name__}.LeakyThrottle"],
    }

    assert check_ids(ROOT_URLCONF=urlconf, CACHES=REDIS_CACHES) == ["api_errors.E037"]
    assert check_ids(REST_FRAMEWORK=defaults, CACHES=REDIS_CACHES) == ["api_errors.E037"]


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("django.core.cache.backends.memcached.PyMemcacheCache", ["api_errors.W005"]),
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django_redis.cache.RedisCache", []),
        # Not shared at all: W003 says so already.
        ("django.core.cache.backends.locmem.LocMemCache", ["api_errors.W003"]),
    ],
)
def test_sliding_and_gcra_outside_redis_are_exact_per_process_only(monkeypatch, backend, expected):
    urlconf = urlconf_with(
        monkeypatch, plain(rate_limit(group="c", key="ip", rate="5/m", algorithm="gcra"))
    )
    fixed_only = urlconf_with(monkeypatch, plain(rate_limit(group="c", key="ip", rate="5/m")))
    caches_setting = {"default": {"BACKEND": backend, "LOCATION": "127.0.0.1:11211"}}

    assert limits_check_ids(ROOT_URLCONF=urlconf, CACHES=caches_setting) == expected
    assert "api_errors.W005" not in limits_check_ids(ROOT_URLCONF=fixed_only, CACHES=caches_setting)


def test_policies_built_directly_are_checked_when_they_count():
    request = RequestFactory().get("/")
    unknown = RateLimitPolicy(group="c", key="ip", rate="5/m", algorithm="leaky")
    monthly = QuotaPolicy(group="c", key="ip", limit=5, algorithm="sliding")

    for policy in (unknown, monthly):
        with pytest.raises(ImproperlyConfigured, match="algorithm"):
            policy.count(request)


# --- the Error Handling page, its exports and the schema ------------------------------------

SLIDING_TEXT = "Sliding window: never more than the limit in any span of the window's length"
GCRA_TEXT = "Smooth rate (GCRA): requests are spaced evenly"
FIXED_TEXT = "Fixed window: the count starts again when the window ends."
SHADOW_TEXT = "Not enforced yet: counted and shown in the headers, never refused."


def page_rows(page):
    """The rate-limit table's rows as (name, allowance, counting)."""
    section = page.split('<section id="rate-limits">', 1)[1].split("</section>", 1)[0]
    return {
        name: (allowance, counting)
        for name, allowance, counting in re.findall(
            r"<tr><td><code>([^<]+)</code></td><td>([^<]+)</td><td>([^<]+)</td></tr>", section
        )
    }


def test_the_page_lists_each_limit_with_how_it_counts(client):
    page = client.get("/api/docs/errors/").content.decode()

    assert "<h2>Rate Limits</h2>" in page
    rows = page_rows(html.unescape(page))
    assert rows["la-edge-fixed"] == ("5 per 10 s", FIXED_TEXT)
    assert rows["la-edge-sliding"][0] == "5 per 10 s"
    assert rows["la-edge-sliding"][1].startswith(SLIDING_TEXT)
    assert rows["la-gcra-two"][0] == "5 per 10 s, up to 2 at once"
    assert rows["la-gcra-two"][1].startswith(GCRA_TEXT)
    assert rows["la-drf-weekly"][0] == "700 per 7 d, up to 10 at once"
    assert rows["la-quota-30d"][0] == "2 per 30 d"
    assert rows["la-plan-sliding"][0] == "set per client"
    assert rows["la-monthly"] == ("1000 per calendar month (UTC)", FIXED_TEXT)
    assert rows["la-total"] == ("50 in total", FIXED_TEXT)
    assert rows["la-shadow-sliding"][1].endswith(SHADOW_TEXT)
    assert rows["la-drf-shadow"][1].endswith(SHADOW_TEXT)
    assert not rows["la-edge-sliding"][1].endswith(SHADOW_TEXT)


@pytest.mark.parametrize(("on_success", "said"), [(False, False), (True, True)])
def test_the_page_says_when_admitted_responses_carry_the_fields(client, settings, on_success, said):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS_ON_SUCCESS": on_success}

    page = client.get("/api/docs/errors/").content.decode()

    assert ("Admitted responses carry them too." in page) == said


def test_without_the_fields_the_page_keeps_names_and_numbers_private(client, settings):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS": False}

    page = html.unescape(client.get("/api/docs/errors/").content.decode())

    section = page.split('<section id="rate-limits">', 1)[1].split("</section>", 1)[0]
    assert "la-edge" not in section
    assert "<table>" not in section
    assert re.findall(r"<li>(\w+ \w+)", section) == [
        "Fixed window",
        "Sliding window",
        "Smooth rate",
    ]


def test_the_markdown_and_json_exports_carry_the_limits():
    markdown, as_json = StringIO(), StringIO()

    call_command("api_errors_catalog", "--format", "markdown", stdout=markdown)
    call_command("api_errors_catalog", "--format", "json", stdout=as_json)

    text = markdown.getvalue()
    assert "## Rate Limits" in text
    assert f"| `la-edge-sliding` | 5 per 10 s | {SLIDING_TEXT}" in text
    limits = json.loads(as_json.getvalue())["limits"]
    rows = {row["name"]: row for row in limits["rows"]}
    assert rows["la-shadow-gcra"]["enforced"] is False
    assert rows["la-edge-gcra"] == {
        "name": "la-edge-gcra",
        "allowance": "5 per 10 s, up to 5 at once",
        "counting": rows["la-edge-gcra"]["counting"],
        "enforced": True,
    }


def test_a_urlconf_without_limits_has_no_rate_limit_section(client, monkeypatch, settings):
    settings.ROOT_URLCONF = urlconf_with(monkeypatch)
    markdown = StringIO()

    call_command("api_errors_catalog", "--format", "markdown", stdout=markdown)

    assert "Rate Limits" not in markdown.getvalue()


def test_the_page_in_chinese_names_the_algorithms(client, settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.MIDDLEWARE = [
        "api_errors.middleware.APIErrorsMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]

    page = html.unescape(
        client.get("/api/docs/errors/", headers={"Accept-Language": "zh-hans"}).content.decode()
    )

    rows = page_rows(page)
    assert "<h2>速率限制</h2>" in page
    allowance, counting = rows["la-edge-sliding"]
    assert allowance == "每 10 秒 5 次"
    assert counting.startswith("滑动窗口")
    assert rows["la-gcra-two"][0].startswith("每 10 秒 5 次")
    assert rows["la-gcra-two"][0].endswith("一次最多 2 次")


def test_each_policy_is_listed_once_whatever_routes_reach_it(monkeypatch, settings):
    view = plain(rate_limit(group="la-once", key="ip", rate="5/m", algorithm="sliding"))
    settings.ROOT_URLCONF = urlconf_with(monkeypatch, view, view)

    policies = url_inventory().policies

    assert [(route, policy.group) for route, policy in policies] == [("api/0/", "la-once")]


def schema(**api_errors):
    from drf_spectacular.generators import SchemaGenerator

    from tests.settings import REST_FRAMEWORK

    rest_framework = {
        **REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
    }
    with override_settings(REST_FRAMEWORK=rest_framework, API_ERRORS=api_errors):
        generated = SchemaGenerator(urlconf="tests.urls_algorithms").get_schema(public=True)
    return json.loads(json.dumps(generated, default=str))


def test_the_schema_names_each_refusing_limit_and_how_it_counts():
    responses = schema()["paths"]["/api/algorithms/drf-counted/"]["get"]["responses"]

    rate = responses["429"]["headers"]["RateLimit-Policy"]["description"]
    assert rate == 'The limits: "la-drf-sliding";q=5;w=10 (sliding window).'
    quotas = responses["403"]["headers"]["RateLimit-Policy"]["description"]
    assert quotas.startswith("The limits: ")
    assert sorted(quotas.removeprefix("The limits: ").removesuffix(".").split("; ")) == [
        '"la-drf-plan" (fixed window, set per client)',
        '"la-drf-weekly";q=700;w=604800 (GCRA, a smooth rate)',
    ]
    assert "RateLimit" in responses["403"]["headers"]


def test_the_schema_documents_no_refusal_for_a_shadow_limit():
    responses = schema()["paths"]["/api/algorithms/drf-shadow/"]["get"]["responses"]

    # Shadow: never a 429, and never a 503 since it admits when its store is down.
    assert "429" not in responses
    assert "503" not in responses


@dataclass(frozen=True)
class EveryFiveSeconds(Policy):
    """A policy of one's own: its limit is its own business, so only its algorithm is checked."""

    def slot(self, value, request, now):
        return 1, rolling_slot(self.algorithm, self.group, 5, value, self.method, 1)


@pytest.mark.parametrize(("algorithm", "expected"), [("gcra", []), ("leaky", ["api_errors.E037"])])
def test_a_policy_of_ones_own_has_its_algorithm_checked(monkeypatch, algorithm, expected):
    policy = EveryFiveSeconds(group="la-own", key="ip", algorithm=algorithm)
    urlconf = urlconf_with(monkeypatch, plain(enforce(policy)))

    assert check_ids(ROOT_URLCONF=urlconf, CACHES=REDIS_CACHES) == expected
