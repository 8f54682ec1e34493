"""Rate limits (429), quotas (403) and balances (402) through every entry point and style;
honest Retry-After; cache outages; counters shared with django-ratelimit."""

from __future__ import annotations

import logging
import math
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http import HTTPStatus

import pytest
import redis.connection
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.test import RequestFactory
from django_ratelimit import core as ratelimit_core

from api_errors.limits import RateLimitPolicy, Usage, charge, refund
from api_errors.limits.headers import rate_limit_headers
from tests.services import redis_caches, require_redis

pytestmark = pytest.mark.urls("tests.urls_limits")

STYLES = ("status", "success", "problem")
ENTRIES = ("drf-throttle", "drf-decorator", "plain", "async")
DECORATED_ENTRIES = ("drf-decorator", "plain", "async")
KINDS = ("rate", "month", "total", "platform", "balance")
THROTTLE_KINDS = ("rate", "month", "total")
HOOK = "tests.limits_views.WalletBalance"
DJANGO_REDIS = "django.core.cache.backends.redis.RedisCache"
DJANGO_REDIS_PACKAGE = "django_redis.cache.RedisCache"
CLOSED_PORT = "redis://127.0.0.1:1/0"
# Short timeouts, so a cache that does not answer fails fast.
CLOSED_PORT_OPTIONS = {
    DJANGO_REDIS: {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    DJANGO_REDIS_PACKAGE: {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
}

QUOTA = {"status": (403, 67200002), "success": (402, "QUOTA_EXCEEDED")}
# kind -> style -> (HTTP status, code); the problem style uses the drive codes, like success.
ROWS = {
    "rate": {"status": (429, 67200007), "success": (429, "QUOTA_EXCEEDED")},
    "month": QUOTA,
    "total": QUOTA,
    "platform": {"status": (403, 67200001), "success": (402, "QUOTA_EXCEEDED")},
    "balance": {"status": (402, 67200005), "success": (402, "QUOTA_EXCEEDED")},
}
MESSAGES = {
    67200001: "API call exceeds the total limit set by the platform!",
    67200002: "Quota exceeds the limit!",
    67200005: "Insufficient balance, call failed!",
    67200007: "Exceeded the call limit, call failed!",
    "QUOTA_EXCEEDED": "Quota or usage limit exceeded",
    68300008: "Service error, please try again later!",
    "INTERNAL_ERROR": "Unexpected server-side error",
}


def row(kind, style):
    return ROWS[kind]["status" if style == "status" else "success"]


def expected_body(style, status, code, path, refused_by=None):
    """The body; ``refused_by`` names the policy behind a limit's refusal, which the problem
    style gives the ratelimit-headers draft's type (a balance and plain ``@ratelimit`` name
    none)."""
    message = MESSAGES[code]
    if style == "status":
        return {"status": False, "error_code": code, "error_message": message}
    if style == "success":
        return {"success": False, "message": message, "error_code": code}
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "instance": path,
        "code": code,
    }
    if refused_by is not None:
        body["type"] = "https://iana.org/assignments/http-problem-types#quota-exceeded"
        body["title"] = "Quota Exceeded"
        body["violated-policies"] = [refused_by]
    return body


def group_name(entry, kind):
    return f"lt-{entry}-{kind}"


def month_bounds(now):
    """Start of this month and of the next one (UTC), as timestamps."""
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return start.timestamp(), following.timestamp()


def limit_cases(entries=ENTRIES, kinds=KINDS, styles=STYLES):
    return [
        pytest.param(style, entry, kind, id=f"{style}-{entry}-{kind}")
        for style in styles
        for entry in entries
        for kind in kinds
        if entry != "drf-throttle" or kind in THROTTLE_KINDS
    ]


@pytest.fixture(autouse=True)
def fresh_limits():
    """Empty counters."""
    caches["default"].clear()


def call(client, async_client, entry, path, user="alice", method="get", **extra):
    headers = {"Authorization": f"Bearer {user}", **extra.pop("headers", {})}
    if entry == "async":
        return async_to_sync(getattr(async_client, method))(path, headers=headers, **extra)
    return getattr(client, method)(path, headers=headers, **extra)


def counted_in_one_window(send, count):
    """The statuses of ``count`` requests counted in one window of the limit.

    A fixed window can end between two of them (the 2-a-minute windows are jittered per
    key): the admitted responses' ``RateLimit`` fields then show ``r`` going back up, and
    the requests are sent again on fresh counters.
    """
    for _attempt in range(3):
        responses = [send() for _ in range(count)]
        remaining = [
            rate_limit_state(r)[1] for r in responses if r.status_code == 200 and "RateLimit" in r
        ]
        if remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining):
            return [r.status_code for r in responses]
        caches["default"].clear()
    raise AssertionError("three windows in a row ended mid-test")


def retry_after(response):
    value = response["Retry-After"]
    assert re.fullmatch(r"[1-9][0-9]*", value), value
    return int(value)


def rate_limit_state(response):
    """``RateLimit: "name";r=..;t=..`` as (name, remaining, reset or None)."""
    match = re.fullmatch(r'"([^"]+)";r=(\d+)(?:;t=(\d+))?', response["RateLimit"])
    assert match, response["RateLimit"]
    name, remaining, reset = match.groups()
    return name, int(remaining), None if reset is None else int(reset)


def make_wallet(owner="alice", balance=2):
    from tests.models import Wallet

    return Wallet.objects.create(owner=owner, balance=balance)


def wallet_balance(owner="alice"):
    from tests.models import Wallet

    return Wallet.objects.get(owner=owner).balance


# --- every 402 / 403 / 429 row ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("style", "entry", "kind"), limit_cases())
def test_limit_row(client, async_client, settings, style, entry, kind):
    settings.API_ERRORS = {"STYLE": style, "BALANCE_HOOK": HOOK}
    if kind == "balance":
        make_wallet(balance=2)
    path = f"/api/limits/{entry}/{kind}/"

    admitted = []
    for _ in range(2):
        admitted.append(call(client, async_client, entry, path))
        if kind == "balance":
            assert wallet_balance() == 2 - len(admitted)
    before = time.time()
    response = call(client, async_client, entry, path)

    assert [r.status_code for r in admitted] == [200, 200]
    assert all("RateLimit" not in r and "RateLimit-Policy" not in r for r in admitted)
    status, code = row(kind, style)
    assert response.status_code == status
    refused_by = None if kind == "balance" else group_name(entry, kind)
    assert response.json() == expected_body(style, status, code, path, refused_by)
    content_type = "application/problem+json" if style == "problem" else "application/json"
    assert response["Content-Type"] == content_type
    group = group_name(entry, kind)
    if kind == "rate":
        seconds = retry_after(response)
        assert 1 <= seconds <= 60
        assert response["RateLimit-Policy"] == f'"{group}";q=2;w=60'
        name, remaining, reset = rate_limit_state(response)
        assert (name, remaining) == (group, 0)
        assert abs(reset - seconds) <= 1
    elif kind in ("month", "platform"):
        start, following = month_bounds(before)
        assert abs(retry_after(response) - (following - before)) <= 3
        assert response["RateLimit-Policy"] == f'"{group}";q=2;w={int(following - start)}'
        name, remaining, reset = rate_limit_state(response)
        assert (name, remaining) == (group, 0)
        assert abs(reset - (following - before)) <= 3
    elif kind == "total":
        assert "Retry-After" not in response
        assert response["RateLimit-Policy"] == f'"{group}";q=2'
        assert response["RateLimit"] == f'"{group}";r=0'
    else:
        assert "Retry-After" not in response
        assert "RateLimit" not in response
        assert "RateLimit-Policy" not in response
        assert wallet_balance() == 0


@pytest.mark.parametrize(
    ("style", "entry", "kind"), limit_cases(kinds=("rate", "month"), styles=("status",))
)
def test_rate_limit_fields_can_be_switched_off(client, async_client, settings, style, entry, kind):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS": False}
    path = f"/api/limits/{entry}/{kind}/"

    responses = [call(client, async_client, entry, path) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, row(kind, style)[0]]
    assert "RateLimit" not in responses[2]
    assert "RateLimit-Policy" not in responses[2]
    assert retry_after(responses[2]) >= 1


@pytest.mark.parametrize(
    ("style", "entry", "kind"), limit_cases(kinds=THROTTLE_KINDS, styles=("status",))
)
def test_rate_limit_fields_on_admitted_responses(
    client, async_client, settings, style, entry, kind
):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    path = f"/api/limits/{entry}/{kind}/"
    group = group_name(entry, kind)

    responses = [call(client, async_client, entry, path) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, row(kind, style)[0]]
    states = [rate_limit_state(r) for r in responses]
    assert [(name, remaining) for name, remaining, _ in states] == [(group, r) for r in (1, 0, 0)]
    assert len({r["RateLimit-Policy"] for r in responses}) == 1
    assert responses[0]["RateLimit-Policy"].startswith(f'"{group}";q=2')
    if kind == "total":
        assert all(reset is None for _, _, reset in states)
    else:
        assert all(reset >= 1 for _, _, reset in states)


@pytest.mark.parametrize("headers", [False, True])
def test_admitted_responses_carry_no_fields_unless_both_settings_say_so(client, settings, headers):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS": headers, "RATE_LIMIT_HEADERS_ON_SUCCESS": False}
    response = client.get("/api/limits/plain/rate/")
    assert response.status_code == 200
    assert "RateLimit" not in response

    settings.API_ERRORS = {"RATE_LIMIT_HEADERS": False, "RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    response = client.get("/api/limits/plain/rate/")
    assert response.status_code == 200
    assert "RateLimit" not in response
    assert "RateLimit-Policy" not in response


def test_every_limit_a_request_counted_against_is_in_the_fields(client, settings):
    settings.API_ERRORS = {"RATE_LIMIT_HEADERS_ON_SUCCESS": True}

    first = client.get("/api/limits/two-limits/")
    second = client.get("/api/limits/two-limits/")

    assert first.status_code == second.status_code == 200
    assert re.fullmatch(
        r'"lt-both-rate";q=3;w=60, "lt-both-month";q=5;w=\d+', second["RateLimit-Policy"]
    )
    assert re.fullmatch(r'"lt-both-rate";r=1;t=\d+, "lt-both-month";r=3;t=\d+', second["RateLimit"])


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("search", '"search"'), ('say "hi"', r'"say \"hi\""'), ("back\\slash", r'"back\\slash"')],
)
def test_rate_limit_field_names_are_structured_field_strings(name, quoted):
    usage = Usage(name=name, limit=5, count=2, resets_at=time.time() + 9.5, window_seconds=10)

    fields = rate_limit_headers([usage])

    assert fields == {"RateLimit-Policy": f"{quoted};q=5;w=10", "RateLimit": f"{quoted};r=3;t=10"}


# --- who and what is counted --------------------------------------------------------


@pytest.mark.parametrize("entry", ["drf-throttle", "drf-decorator"])
@pytest.mark.parametrize("kind", ["rate", "month", "total"])
def test_each_user_has_an_allowance_of_their_own(client, async_client, entry, kind):
    path = f"/api/limits/{entry}/{kind}/"

    alice = [call(client, async_client, entry, path, user="alice").status_code for _ in range(3)]
    bob = [call(client, async_client, entry, path, user="bob").status_code for _ in range(3)]

    rejected = row(kind, "status")[0]
    assert alice == [200, 200, rejected]
    assert bob == [200, 200, rejected]


def test_platform_quota_is_shared_by_all_clients(client):
    path = "/api/limits/drf-decorator/platform/"

    statuses = [client.get(path, headers={"Authorization": f"Bearer user{i}"}) for i in range(3)]

    assert [r.status_code for r in statuses] == [200, 200, 403]
    assert statuses[2].json()["error_code"] == 67200001


@pytest.mark.parametrize(("style", "entry", "kind"), limit_cases(kinds=THROTTLE_KINDS))
def test_ratelimit_enable_false_counts_nothing(client, async_client, settings, style, entry, kind):
    settings.API_ERRORS = {"STYLE": style}
    path = f"/api/limits/{entry}/{kind}/"

    settings.RATELIMIT_ENABLE = False
    disabled = [call(client, async_client, entry, path).status_code for _ in range(4)]
    settings.RATELIMIT_ENABLE = True
    settings.API_ERRORS = {"STYLE": style, "RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    enabled = counted_in_one_window(lambda: call(client, async_client, entry, path), 3)

    assert disabled == [200] * 4
    assert enabled == [200, 200, row(kind, style)[0]]


def test_method_filter_counts_only_that_method(client):
    gets = [client.get("/api/limits/post-only/").status_code for _ in range(4)]
    posts = [client.post("/api/limits/post-only/").status_code for _ in range(3)]

    assert gets == [200] * 4
    assert posts == [200, 200, 429]


@pytest.mark.parametrize(("plan", "admitted"), [(None, 2), ("gold", 4)])
def test_callable_rate_decides_per_request(client, plan, admitted):
    headers = {"X-Plan": plan} if plan else {}

    statuses = [
        client.get("/api/limits/plan/", headers=headers).status_code for _ in range(admitted + 1)
    ]

    assert statuses == [200] * admitted + [429]
    response = client.get("/api/limits/plan/", headers=headers)
    assert response["RateLimit-Policy"] == f'"lt-plan";q={admitted};w=60'


def test_callable_rate_returning_none_does_not_limit(client):
    statuses = [
        client.get("/api/limits/plan/", headers={"X-Plan": "unlimited"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 6


def test_quota_over_a_fixed_period(client):
    responses = [client.get("/api/limits/30d/") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 403]
    assert responses[2].json()["error_code"] == 67200002
    assert responses[2]["RateLimit-Policy"] == '"lt-30d";q=2;w=2592000'
    assert 1 <= retry_after(responses[2]) <= 30 * 86400


def test_changing_a_plans_quota_keeps_the_calls_already_made(client):
    """Calls made this month still count after the caller's plan (its limit) changes."""
    basic = [client.get("/api/limits/plan-quota/").status_code for _ in range(3)]
    gold = [
        client.get("/api/limits/plan-quota/", headers={"X-Plan": "gold"}).status_code
        for _ in range(4)
    ]

    assert basic == [200, 200, 403]
    # Five a month on gold: two (or three, counting the refused one) are gone already.
    assert gold.count(200) <= 3
    assert gold[-1] == 403


def test_scoped_throttle_takes_its_rate_from_drf_settings(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"uploads": "2/m"},
    }
    headers = {"Authorization": "Bearer alice"}

    responses = [client.get("/api/limits/scoped/", headers=headers) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[2].json()["error_code"] == 67200007
    assert responses[2]["RateLimit-Policy"] == '"uploads";q=2;w=60'


def test_scope_without_a_rate_is_not_limited(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"downloads": "1/m"},
    }
    headers = {"Authorization": "Bearer alice"}

    statuses = [client.get("/api/limits/scoped/", headers=headers).status_code for _ in range(4)]

    assert statuses == [200] * 4


# --- plain django-ratelimit ---------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_plain_ratelimit_decorator_ends_as_a_429_envelope(client, settings, style):
    settings.API_ERRORS = {"STYLE": style}
    path = "/api/limits/ratelimit/"

    first = client.get(path)
    second = client.get(path)

    assert first.status_code == 200
    status, code = row("rate", style)
    assert second.status_code == status
    assert second.json() == expected_body(style, status, code, path)
    assert retry_after(second) >= 1


def shared_counter_backends():
    return [
        pytest.param("locmem", id="locmem"),
        pytest.param(DJANGO_REDIS, id="django-redis-cache"),
        pytest.param(DJANGO_REDIS_PACKAGE, id="django-redis"),
    ]


def use_backend(settings, backend):
    if backend != "locmem":
        require_redis()
        settings.CACHES = redis_caches(backend)


def fresh_ip():
    return "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])


@pytest.mark.parametrize("backend", shared_counter_backends())
@pytest.mark.parametrize(
    ("first", "second"),
    [("ratelimit", "policy"), ("policy", "ratelimit")],
    ids=["ratelimit-then-policy", "policy-then-ratelimit"],
)
def test_counter_is_shared_with_django_ratelimit(client, settings, backend, first, second):
    use_backend(settings, backend)
    ip = fresh_ip()

    used = [client.get(f"/api/limits/shared/{first}/", REMOTE_ADDR=ip) for _ in range(2)]
    other = client.get(f"/api/limits/shared/{second}/", REMOTE_ADDR=ip)
    elsewhere = client.get(f"/api/limits/shared/{second}/", REMOTE_ADDR=fresh_ip())

    assert [r.status_code for r in used] == [200, 200]
    assert other.status_code == 429
    assert other.json()["error_code"] == 67200007
    assert elsewhere.status_code == 200


# --- balance --------------------------------------------------------------------------

# outcome -> (status of the response, whether the charge stands)
OUTCOMES = {
    "ok": (200, True),
    "return-404": (404, True),
    "raise-404": (404, True),
    "raise-500": (500, False),
    "return-500": (500, False),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "name"),
    [(entry, name) for entry in DECORATED_ENTRIES for name in OUTCOMES]
    + [("drf-decorator", "raise-drf-404")],
)
def test_charge_is_refunded_only_after_a_server_error(client, async_client, settings, entry, name):
    status, charged = OUTCOMES.get(name, (404, True))
    settings.API_ERRORS = {"BALANCE_HOOK": HOOK}
    make_wallet(balance=5)

    response = call(client, async_client, entry, f"/api/limits/{entry}/charged/{name}/")

    assert response.status_code == status
    assert wallet_balance() == (4 if charged else 5)


@pytest.mark.django_db
def test_request_refused_by_a_limit_inside_the_charge_is_not_charged(client, settings):
    settings.API_ERRORS = {"BALANCE_HOOK": HOOK}
    make_wallet(balance=5)
    headers = {"Authorization": "Bearer alice"}

    responses = [client.get("/api/limits/charged-then-limited/", headers=headers) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 429, 429]
    assert wallet_balance() == 4


@pytest.mark.django_db
def test_balance_hook_may_be_given_as_a_class(client, settings):
    from tests.limits_views import WalletBalance

    settings.API_ERRORS = {"BALANCE_HOOK": WalletBalance}
    make_wallet(balance=1)

    statuses = [
        client.get("/api/limits/plain/balance/", headers={"Authorization": "Bearer alice"})
        for _ in range(2)
    ]

    assert [r.status_code for r in statuses] == [200, 402]
    assert wallet_balance() == 0


@pytest.mark.django_db
def test_each_owner_pays_from_their_own_wallet(client, settings):
    settings.API_ERRORS = {"BALANCE_HOOK": HOOK}
    make_wallet("alice", balance=1)
    make_wallet("bob", balance=3)

    path = "/api/limits/plain/balance/"

    alice = [client.get(path, headers={"Authorization": "Bearer alice"}) for _ in range(2)]
    bob = client.get(path, headers={"Authorization": "Bearer bob"})

    assert [r.status_code for r in alice] == [200, 402]
    assert bob.status_code == 200
    assert (wallet_balance("alice"), wallet_balance("bob")) == (0, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "start", "amount", "successes", "left"),
    [
        ("balance", 100, 1, 100, 0),
        ("balance", 100, 3, 33, 1),
        ("balance", 5, 5, 1, 0),
        ("balance", 4, 5, 0, 4),
        ("credit", Decimal("1.00"), Decimal("0.30"), 3, Decimal("0.10")),
    ],
)
def test_charge_takes_only_what_the_balance_covers(field, start, amount, successes, left):
    from tests.models import Wallet

    wallet = Wallet.objects.create(owner="solo", **{field: start})
    rows = Wallet.objects.filter(pk=wallet.pk)

    results = [charge(rows, field, amount) for _ in range(successes + 3)]

    assert results == [True] * successes + [False] * 3
    wallet.refresh_from_db()
    assert getattr(wallet, field) == left


@pytest.mark.django_db
def test_charge_touches_only_the_rows_asked_for():
    from tests.models import Wallet

    alice = make_wallet("alice", balance=3)
    make_wallet("bob", balance=3)

    assert charge(Wallet.objects.filter(pk=alice.pk), "balance", 2)
    refund(Wallet.objects.filter(pk=alice.pk), "balance", 1)

    assert (wallet_balance("alice"), wallet_balance("bob")) == (2, 3)
    assert not charge(Wallet.objects.filter(owner="nobody"), "balance", 1)


# --- Retry-After honesty ------------------------------------------------------------


def sleep_until_fraction(low, high):
    """Sleep until the current second is between ``low`` and ``high`` of the way through."""
    for _ in range(3):
        fraction = time.time() % 1
        if low <= fraction < high:
            return
        time.sleep((low + (high - low) / 4 - fraction) % 1)
    pytest.fail("could not reach the wanted point of the second")


def honesty_backends():
    return [pytest.param("locmem", id="locmem"), pytest.param(DJANGO_REDIS, id="redis")]


def client_id_whose_window_frees_at(period, frees_at):
    """A fresh ``X-Client`` value whose window frees its slots at second ``frees_at``.

    django-ratelimit jitters windows per key: the window it names ``w`` holds the seconds
    up to ``w``, so a client is admitted again from ``w + 1``.
    """
    for _ in range(1000):
        value = uuid.uuid4().hex
        if ratelimit_core._get_window(value, period) + 1 == frees_at:
            return value
    raise AssertionError(f"no key found whose window frees at {frees_at}")


@pytest.mark.slow
@pytest.mark.parametrize("backend", honesty_backends())
@pytest.mark.parametrize(
    ("path", "phase", "seconds_left"),
    [
        # Early or late in the second, in the first or the last second of the 2 s window.
        ("/api/limits/honest/", 0.1, 1),
        ("/api/limits/honest/", 0.1, 2),
        ("/api/limits/honest/", 0.85, 2),
        ("/api/limits/drf-honest/", 0.5, 2),
    ],
)
@pytest.mark.real_clock
def test_waiting_retry_after_seconds_is_enough(
    client, settings, backend, path, phase, seconds_left
):
    use_backend(settings, backend)
    caches["default"].get("connect-before-timing")
    sleep_until_fraction(phase, phase + 0.08)
    frees_at = math.floor(time.time()) + seconds_left
    headers = {
        "Authorization": "Bearer alice",
        "X-Client": client_id_whose_window_frees_at(2, frees_at),
    }

    responses = [client.get(path, headers=headers) for _ in range(2)]
    sent = time.time()
    responses.append(client.get(path, headers=headers))
    answered = time.time()
    assert [r.status_code for r in responses] == [200, 200, 429]
    seconds = retry_after(responses[2])
    # The window's real end as seen while the request was served; never over the 2 s window.
    assert math.ceil(frees_at - answered) <= seconds <= math.ceil(frees_at - sent) <= 2
    time.sleep(seconds)

    assert client.get(path, headers=headers).status_code == 200


@pytest.mark.slow
@pytest.mark.real_clock
@pytest.mark.parametrize("backend", honesty_backends())
def test_retry_after_is_not_pessimistic_by_a_second(client, settings, backend):
    """Asked to wait 3 s, a client retrying after 2 s is still early: the window's real end."""
    use_backend(settings, backend)
    path = "/api/limits/honest-3s/"
    caches["default"].get("connect-before-timing")
    sleep_until_fraction(0.02, 0.1)
    # A client whose 3 s window starts at this second, so ~2.9 s of it are left.
    client_id = client_id_whose_window_frees_at(3, math.floor(time.time()) + 3)
    headers = {"X-Client": client_id}

    responses = [client.get(path, headers=headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert retry_after(responses[2]) == 3

    time.sleep(2)
    early = client.get(path, headers=headers)
    assert early.status_code == 429
    assert retry_after(early) == 1

    time.sleep(1)
    assert client.get(path, headers=headers).status_code == 200


# --- cache outage ---------------------------------------------------------------------


def closed_port_caches(backend):
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": CLOSED_PORT,
            "OPTIONS": CLOSED_PORT_OPTIONS[backend],
        }
    }


OUTAGE_BACKENDS = [
    pytest.param(DJANGO_REDIS, id="django-redis-cache"),
    pytest.param(DJANGO_REDIS_PACKAGE, id="django-redis"),
]
UNAVAILABLE = {"status": (503, 68300008), "success": (503, "INTERNAL_ERROR")}


def warnings_on_api_errors(caplog):
    return [r for r in caplog.records if r.name == "api_errors" and r.levelno == logging.WARNING]


@pytest.mark.parametrize("backend", OUTAGE_BACKENDS)
@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("kind", ["rate", "month"])
def test_outage_fails_open_with_one_warning(
    client, async_client, settings, caplog, backend, entry, kind
):
    settings.CACHES = closed_port_caches(backend)
    settings.API_ERRORS = {"LIMITS_FAIL_OPEN": True}
    caplog.set_level(logging.DEBUG)
    correlation_id = f"outage-{uuid.uuid4().hex[:12]}"

    started = time.monotonic()
    response = call(
        client,
        async_client,
        entry,
        f"/api/limits/{entry}/{kind}/",
        headers={"X-Correlation-ID": correlation_id},
    )

    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    [record] = warnings_on_api_errors(caplog)
    assert correlation_id in record.getMessage()


@pytest.mark.parametrize("backend", OUTAGE_BACKENDS)
@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("style", ["status", "success"])
def test_outage_fails_closed_with_a_503_envelope(
    client, async_client, settings, backend, entry, style
):
    settings.CACHES = closed_port_caches(backend)
    settings.API_ERRORS = {"STYLE": style, "LIMITS_FAIL_OPEN": False}

    response = call(client, async_client, entry, f"/api/limits/{entry}/rate/")

    status, code = UNAVAILABLE[style]
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == expected_body(style, status, code, "")
    assert retry_after(response) == 30


@pytest.mark.parametrize("backend", OUTAGE_BACKENDS)
@pytest.mark.parametrize(("fail_open", "status"), [(True, 200), (False, 503)])
def test_unset_limits_fail_open_follows_ratelimit_fail_open(
    client, settings, backend, fail_open, status
):
    settings.CACHES = closed_port_caches(backend)
    settings.API_ERRORS = {}
    settings.RATELIMIT_FAIL_OPEN = fail_open

    response = client.get("/api/limits/plain/rate/")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("backend", OUTAGE_BACKENDS)
@pytest.mark.parametrize("fail_open", [None, True, False])
def test_plain_ratelimit_decorator_during_an_outage_is_a_503_envelope(
    client, settings, backend, fail_open
):
    settings.CACHES = closed_port_caches(backend)
    settings.API_ERRORS = {"LIMITS_FAIL_OPEN": fail_open}

    response = client.get("/api/limits/ratelimit/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["error_code"] == 68300008
    assert retry_after(response) >= 1


# --- one round trip on Redis ----------------------------------------------------------


@pytest.mark.parametrize("backend", [DJANGO_REDIS, DJANGO_REDIS_PACKAGE])
def test_counting_is_one_round_trip_to_redis(settings, monkeypatch, backend):
    require_redis()
    settings.CACHES = redis_caches(backend)
    policy = RateLimitPolicy(group=f"lt-trip-{uuid.uuid4().hex}", key="ip", rate="100/m")
    request = RequestFactory().get("/")
    policy.count(request)  # connects (and selects the database) first

    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, *args, **kwargs):
        sent.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    usage = policy.count(request)

    assert usage.count == 2
    assert len(sent) == 1
