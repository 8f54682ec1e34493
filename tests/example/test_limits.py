"""The example's plans, in process: rate limit (429), monthly quota (403), balance (402), and
the downloads a key may have in progress at once (429)."""

from __future__ import annotations

import io
import math
import time
from datetime import datetime, timezone

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django_ratelimit import core as ratelimit_core

from example_project.drive.management.commands.seed_demo import (
    DEMO_KEY,
    LOW_BALANCE_KEY,
    README_CONTENT,
    SMALL_QUOTA_KEY,
)
from example_project.drive.models import ApiKey
from tests.example.support import (
    DOWNLOADS_POLICY,
    SEARCH_POLICY,
    bearer,
    error_of,
    rate_limit_fields,
)

pytestmark = pytest.mark.urls("example_project.urls")

# Mid-June 2030 (30 days): when the monthly quota comes back is known to the second.
FROZEN_AT = datetime(2030, 6, 12, 9, 0, tzinfo=timezone.utc).timestamp()
NEXT_MONTH = datetime(2030, 7, 1, tzinfo=timezone.utc).timestamp()


class Clock:
    """``time.time`` frozen at a moment the test moves on by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds

    def to_window_start(self, api_key, period=10):
        """The first second of django-ratelimit's window for the key (``key="user"``)."""
        end = ratelimit_core._get_window(str(api_key.pk), period)
        self.now = float(end - period + 1)


@pytest.fixture
def clock(monkeypatch):
    """Counters read ``time.time()`` (django-ratelimit's windows too): freeze it."""
    frozen = Clock(FROZEN_AT)
    monkeypatch.setattr(time, "time", frozen)
    return frozen


@pytest.fixture
def keys(items):
    return {api_key.key: api_key for api_key in ApiKey.objects.all()}


@pytest.fixture
def search(client, items):
    """``search(key)``: one paid search with that key."""

    def search(key=DEMO_KEY, query="read"):
        return client.get("/api/search/", {"q": query}, headers=bearer(key))

    return search


def balance(key):
    return ApiKey.objects.get(key=key).balance


def test_sixth_search_within_the_window_is_rate_limited(search, keys, clock, style, expected):
    clock.to_window_start(keys[DEMO_KEY])
    for remaining in (4, 3, 2, 1, 0):
        response = search()
        assert response.status_code == 200
        assert rate_limit_fields(response.headers["RateLimit"])["search"] == {
            "r": remaining,
            "t": 10,
        }
    clock.advance(9.5)  # still the same window
    response = search()
    assert error_of(response, style) == expected["rate_limited"]
    assert response.headers["Retry-After"] == "1"
    assert response.headers["RateLimit-Policy"] == SEARCH_POLICY
    assert response.headers["RateLimit"] == '"search";r=0;t=1'


def test_retry_after_is_honest(search, keys, clock, example_api_errors):
    clock.to_window_start(keys[DEMO_KEY])
    for _ in range(5):
        assert search().status_code == 200
    response = search()
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert retry_after == 10
    clock.advance(retry_after - 0.5)
    assert search().status_code == 429
    clock.advance(0.5)
    response = search()
    assert response.status_code == 200
    assert rate_limit_fields(response.headers["RateLimit"])["search"] == {"r": 4, "t": 10}


def test_rate_limited_searches_cost_nothing(search, keys, clock, example_api_errors):
    clock.to_window_start(keys[DEMO_KEY])
    for _ in range(5):
        assert search().status_code == 200
    for _ in range(3):
        assert search().status_code == 429
    assert balance(DEMO_KEY) == 95
    clock.advance(10)
    response = search()
    assert response.status_code == 200
    # Six searches counted against the month: the five before and this one, not the 429s.
    assert rate_limit_fields(response.headers["RateLimit"])["search-monthly"]["r"] == 994
    assert balance(DEMO_KEY) == 94


def test_the_rate_limit_is_per_key(search, keys, clock, example_api_errors):
    clock.to_window_start(keys[DEMO_KEY])
    for _ in range(6):
        search()
    assert search().status_code == 429
    assert search(SMALL_QUOTA_KEY).status_code == 200


def test_the_counter_is_django_ratelimits_user_key(search, keys, clock, example_api_errors):
    """ApiKey is the request's user and its ``str(pk)`` is the key: ``@ratelimit(key="user")``
    and ``get_usage`` with the same group and rate read the same counter."""
    for _ in range(3):
        search()
    request = RequestFactory().get("/api/search/")
    request.user = keys[DEMO_KEY]
    usage = ratelimit_core.get_usage(request, group="search", key="user", rate="5/10s")
    assert usage["count"] == 3
    assert usage["limit"] == 5


def test_small_quota_key_is_refused_on_the_fourth_search(search, clock, style, expected):
    for remaining in (2, 1, 0):
        response = search(SMALL_QUOTA_KEY)
        assert response.status_code == 200
        assert rate_limit_fields(response.headers["RateLimit"])["search-monthly"]["r"] == remaining
    response = search(SMALL_QUOTA_KEY)
    assert error_of(response, style) == expected["quota_exceeded"]
    # The quota comes back with the calendar month (UTC).
    until_next_month = math.ceil(NEXT_MONTH - clock.now)
    assert response.headers["Retry-After"] == str(until_next_month)
    assert response.headers["RateLimit-Policy"] == f'"search-monthly";q=3;w={30 * 86400}'
    assert response.headers["RateLimit"] == f'"search-monthly";r=0;t={until_next_month}'
    assert balance(SMALL_QUOTA_KEY) == 97


def test_low_balance_key_is_refused_for_lack_of_credit(search, style, expected):
    response = search(LOW_BALANCE_KEY)
    assert error_of(response, style) == expected["insufficient_balance"]
    assert "Retry-After" not in response.headers
    assert balance(LOW_BALANCE_KEY) == 0


def test_a_search_costs_one_credit(search, example_api_errors):
    assert search().status_code == 200
    assert balance(DEMO_KEY) == 99
    assert search().status_code == 200
    assert balance(DEMO_KEY) == 98


def test_the_last_credit_buys_one_more_search(search, example_api_errors):
    ApiKey.objects.filter(key=DEMO_KEY).update(balance=1)
    assert search().status_code == 200
    assert search().status_code == 402
    assert balance(DEMO_KEY) == 0


def test_a_search_failing_upstream_is_refunded(search, style, expected):
    response = search(query="fail")
    assert error_of(response, style) == expected["search_failure"]
    assert balance(DEMO_KEY) == 100


def test_successful_searches_show_what_is_left(search, keys, clock, example_api_errors):
    clock.to_window_start(keys[DEMO_KEY])
    response = search()
    assert response.headers["RateLimit-Policy"] == (
        f'{SEARCH_POLICY}, "search-monthly";q=1000;w={30 * 86400}'
    )
    assert rate_limit_fields(response.headers["RateLimit"]) == {
        "search": {"r": 4, "t": 10},
        "search-monthly": {"r": 999, "t": math.ceil(NEXT_MONTH - clock.now)},
    }


def test_free_endpoints_count_nothing(api, example_api_errors):
    response = api.get("/api/drive/items/")
    assert response.status_code == 200
    assert "RateLimit" not in response.headers
    assert balance(DEMO_KEY) == 100


def test_a_key_without_rate_or_quota_is_only_charged(search, example_api_errors):
    ApiKey.objects.filter(key=DEMO_KEY).update(rate="", monthly_quota=None)
    for _ in range(8):
        response = search()
        assert response.status_code == 200
        assert "RateLimit" not in response.headers
    assert balance(DEMO_KEY) == 92


def test_seed_demo_restores_the_plans(search, example_api_errors):
    for _ in range(3):
        search(SMALL_QUOTA_KEY)
    assert search(SMALL_QUOTA_KEY).status_code == 403
    ApiKey.objects.filter(key=DEMO_KEY).update(rate="1/m", monthly_quota=1, balance=7)
    call_command("seed_demo", stdout=io.StringIO())
    plans = {
        api_key.key: (api_key.rate, api_key.monthly_quota, api_key.balance)
        for api_key in ApiKey.objects.filter(key__in=[DEMO_KEY, LOW_BALANCE_KEY, SMALL_QUOTA_KEY])
    }
    assert plans == {
        DEMO_KEY: ("5/10s", 1000, 100),
        LOW_BALANCE_KEY: ("5/10s", 1000, 0),
        SMALL_QUOTA_KEY: ("5/10s", 3, 100),
    }
    # This month's quota is given back too.
    assert search(SMALL_QUOTA_KEY).status_code == 200


@pytest.mark.parametrize("rate", ["5/0s", "5/10", "five/s", "5/10x"])
def test_invalid_rates_are_refused(db, rate):
    api_key = ApiKey(key="k", name="k", rate=rate)
    with pytest.raises(ValidationError) as excinfo:
        api_key.full_clean()
    assert set(excinfo.value.message_dict) == {"rate"}


# --- downloads in progress ------------------------------------------------------------------


def test_a_third_download_in_progress_is_refused(client, items, style, expected):
    """A download holds its place while it is being sent: two unread streams are two in
    progress. The third waits for one of them to finish or be dropped."""
    path = f"/api/drive/items/{items['readme.txt'].pk}/download/"
    first = client.get(path, headers=bearer(DEMO_KEY))
    second = client.get(path, headers=bearer(DEMO_KEY))
    assert [first.status_code, second.status_code] == [200, 200]
    assert first.headers["RateLimit-Policy"] == DOWNLOADS_POLICY
    assert rate_limit_fields(first.headers["RateLimit"]) == {"downloads": {"r": 1}}
    assert rate_limit_fields(second.headers["RateLimit"]) == {"downloads": {"r": 0}}

    third = client.get(path, headers=bearer(DEMO_KEY))
    assert error_of(third, style) == expected["rate_limited"]
    assert third.headers["RateLimit-Policy"] == DOWNLOADS_POLICY
    assert third.headers["RateLimit"] == '"downloads";r=0'
    assert third.headers["Retry-After"] == "1"
    if style == "problem":
        assert third.json()["violated-policies"] == ["downloads"]
    # Another key has places of its own.
    assert client.get(path, headers=bearer(SMALL_QUOTA_KEY)).status_code == 200

    first.close()  # the client went away mid-download
    fourth = client.get(path, headers=bearer(DEMO_KEY))
    assert fourth.status_code == 200
    for finished in (second, fourth):
        assert b"".join(finished.streaming_content) == README_CONTENT.encode()
    assert client.get(path, headers=bearer(DEMO_KEY)).status_code == 200


def test_a_refused_download_gives_its_place_back(api, items, style, expected):
    folder = f"/api/drive/items/{items['Documents'].pk}/download/"
    for _ in range(3):
        assert error_of(api.get(folder), style) == expected["download_folder"]
