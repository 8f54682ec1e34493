"""Shadow mode: a policy with ``shadow=True`` counts, sends its fields and logs the refusal it
would have made, through the test client, but never refuses, not even when its store is down."""

from __future__ import annotations

import logging
import re
import uuid

import pytest

from api_errors.limits import forget_refusals
from api_errors.limits.policies import key_digest

pytestmark = pytest.mark.urls("tests.urls_algorithms")

ALGORITHMS = ("fixed", "sliding", "gcra")
SHADOW_MESSAGE = "would have refused (shadow)"


def new_client():
    return uuid.uuid4().hex


def get(client, path, who):
    return client.get(path, headers={"X-Client": who})


def shadow_records(caplog):
    return [r for r in caplog.records if r.name == "api_errors" and SHADOW_MESSAGE in r.msg]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_shadow_limit_admits_everyone_and_shows_its_fields_once_past(client, algorithm):
    path, who = f"/api/algorithms/{algorithm}/shadow/", new_client()  # 2 a minute

    responses = [get(client, path, who) for _ in range(4)]

    assert [r.status_code for r in responses] == [200] * 4
    assert [r.json() for r in responses] == [{"ok": True}] * 4
    # Within the limit, fields only with RATE_LIMIT_HEADERS_ON_SUCCESS; past it, always.
    assert all("RateLimit" not in r for r in responses[:2])
    for response in responses[2:]:
        assert response["RateLimit-Policy"] == f'"la-shadow-{algorithm}";q=2;w=60'
        assert response["RateLimit"].startswith(f'"la-shadow-{algorithm}";r=0;t=')
        assert "Retry-After" not in response


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_refusal_it_would_have_made_is_one_record(client, caplog, algorithm):
    caplog.set_level(logging.DEBUG, logger="api_errors")
    path, who = f"/api/algorithms/{algorithm}/shadow/", new_client()

    for _ in range(4):
        get(client, path, who)

    records = shadow_records(caplog)
    assert len(records) == 2
    for record in records:
        assert record.levelno == logging.WARNING
        assert record.policy == f"la-shadow-{algorithm}"
        assert record.key_digest == key_digest(who)
        assert record.algorithm == algorithm
        assert record.limit == 2
        assert record.count > 2
        assert record.shadow is True
        assert record.path == path
        assert record.method == "GET"
        assert f"policy=la-shadow-{algorithm} key_digest={key_digest(who)} " in record.getMessage()
        assert who not in record.getMessage()
    # Nothing was refused, so no error response was logged.
    assert not [r for r in caplog.records if r.__dict__.get("status_code") == 429]


def test_the_key_is_logged_as_a_digest_never_as_given(client, caplog):
    """A key may be a credential, or a client's attempt to forge a log line."""
    caplog.set_level(logging.WARNING, logger="api_errors")
    path, who = "/api/algorithms/sliding/shadow/", f"forged\n\x1b[31m\\{new_client()}"

    for _ in range(3):
        get(client, path, who)

    [record] = shadow_records(caplog)
    assert re.fullmatch(r"[0-9a-f]{16}", record.key_digest)
    assert record.key_digest == key_digest(who)
    assert key_digest(who + "x") != record.key_digest
    message = record.getMessage()
    assert f"key_digest={record.key_digest} " in message
    assert "forged" not in message
    assert "\n" not in message
    assert "\x1b" not in message


def test_the_record_takes_the_client_error_level(client, caplog, settings):
    settings.API_ERRORS = {"CLIENT_ERROR_LOG_LEVEL": "INFO"}
    caplog.set_level(logging.DEBUG, logger="api_errors")
    path, who = "/api/algorithms/gcra/shadow/", new_client()

    for _ in range(3):
        get(client, path, who)

    assert [r.levelno for r in shadow_records(caplog)] == [logging.INFO]


def test_no_record_is_made_when_its_level_is_off(client, caplog, settings):
    settings.API_ERRORS = {"CLIENT_ERROR_LOG_LEVEL": "INFO"}
    caplog.set_level(logging.WARNING, logger="api_errors")
    path, who = "/api/algorithms/fixed/shadow/", new_client()

    statuses = [get(client, path, who).status_code for _ in range(3)]

    assert statuses == [200] * 3
    assert shadow_records(caplog) == []


@pytest.mark.parametrize(
    ("api_errors", "fields_on"),
    [
        ({"RATE_LIMIT_HEADERS": False}, []),
        ({"RATE_LIMIT_HEADERS": False, "RATE_LIMIT_HEADERS_ON_SUCCESS": True}, []),
        ({"RATE_LIMIT_HEADERS_ON_SUCCESS": True}, [0, 1, 2]),
    ],
)
def test_the_fields_follow_the_settings(client, settings, api_errors, fields_on):
    settings.API_ERRORS = api_errors
    path, who = "/api/algorithms/sliding/shadow/", new_client()

    responses = [get(client, path, who) for _ in range(3)]

    assert [r.status_code for r in responses] == [200] * 3
    assert [index for index, r in enumerate(responses) if "RateLimit" in r] == fields_on


def test_a_shadow_drf_throttle(client, caplog):
    caplog.set_level(logging.WARNING, logger="api_errors")
    who = new_client()

    responses = [get(client, "/api/algorithms/drf-shadow/", who) for _ in range(3)]

    assert [r.status_code for r in responses] == [200] * 3
    assert responses[2]["RateLimit-Policy"] == '"la-drf-shadow";q=2;w=60'
    [record] = shadow_records(caplog)
    assert (record.policy, record.algorithm) == ("la-drf-shadow", "gcra")


def test_a_shadow_limit_keeps_counting_when_refusals_are_remembered(client, caplog, settings):
    """Remembered refusals spare the store a refused client's calls; a shadow limit refuses
    no one, so every call is counted and each would-be refusal is a record of its own."""
    settings.API_ERRORS = {"LIMITS_REMEMBER_REFUSALS": True}
    caplog.set_level(logging.DEBUG, logger="api_errors")
    forget_refusals()
    path, who = "/api/algorithms/fixed/shadow/", new_client()
    try:
        responses = [get(client, path, who) for _ in range(5)]
    finally:
        forget_refusals()

    assert [r.status_code for r in responses] == [200] * 5
    assert [r.levelno for r in shadow_records(caplog)] == [logging.WARNING] * 3
    assert responses[-1]["RateLimit"].startswith('"la-shadow-fixed";r=0;')


CLOSED_PORT = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.parametrize(("path", "status"), [("sliding/shadow", 200), ("sliding/two", 503)])
def test_a_shadow_limit_admits_when_its_store_is_down_even_failing_closed(
    client, settings, path, status
):
    settings.CACHES = CLOSED_PORT
    settings.API_ERRORS = {"LIMITS_FAIL_OPEN": False}

    response = get(client, f"/api/algorithms/{path}/", new_client())

    assert response.status_code == status
    assert "RateLimit" not in response
