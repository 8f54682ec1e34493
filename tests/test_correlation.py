"""Correlation ids: every response, validation, settings, CORS, context, concurrency."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpResponse, JsonResponse
from django.test import AsyncClient, AsyncRequestFactory, Client, RequestFactory, override_settings

from api_errors import get_correlation_id
from api_errors.correlation import (
    CorrelationIdFilter,
    new_correlation_id,
    reset_correlation_id,
    set_correlation_id,
)
from api_errors.middleware import APIErrorsMiddleware
from tests.correlation_views import in_flight

HEADER = "X-Correlation-ID"
EXPOSE = "Access-Control-Expose-Headers"
# Only CORS requests, which carry an Origin, get the header exposed.
CORS = {"Origin": "https://app.example"}
ROOT = Path(__file__).resolve().parent.parent
CORRELATION_URLS = "tests.urls_correlation"


def is_new_uuid4(value):
    parsed = uuid.UUID(value)
    return parsed.version == 4 and str(parsed) == value


def get(kind, path, data=None, **extra):
    """GET through the sync test client (WSGI handler) or the async one (ASGI handler).

    Pass request headers as ``headers=``: the async client would send ``HTTP_*`` keywords
    as headers literally named ``http_...``.
    """
    assert not any(key.startswith("HTTP_") for key in extra)
    if kind == "sync":
        return Client(raise_request_exception=False).get(path, data, **extra)
    return async_to_sync(AsyncClient(raise_request_exception=False).get)(path, data, **extra)


def exposed_names(response):
    return [name.strip() for name in response[EXPOSE].split(",")]


@pytest.fixture
def all_logs(caplog):
    """Every record of every logger, at DEBUG, including loggers that do not propagate."""
    caplog.set_level(logging.DEBUG)
    changed = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            changed.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
    yield caplog
    for logger, level in changed:
        logger.setLevel(level)
        logger.removeHandler(caplog.handler)


# --- every response carries the header ------------------------------------------------

RESPONSES = [
    ("/api/plain/ok/", 200),
    ("/api/drf/ok/", 200),
    ("/api/plain/correlation/", 200),
    ("/api/async/correlation/", 200),
    ("/pages/ok/", 200),
    ("/api/plain/raise/runtime/", 500),
    ("/api/drf/raise/runtime/", 500),
    ("/api/async/raise/runtime/", 500),
    ("/api/drf/raise/drf_not_found/", 404),
    ("/api/plain/raise/http404/", 404),
    ("/api/async/raise/conflict/", 409),
    ("/api/plain/html-error/", 400),
    ("/api/plain/json-error/", 400),
    ("/api/no/such/route/", 404),
    ("/pages/raise/http404/", 404),
    ("/pages/raise/runtime/", 500),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("path", "status"), RESPONSES)
def test_valid_incoming_id_is_echoed_on_every_response(kind, path, status):
    response = get(kind, path, headers={HEADER: f"client-id-{kind}", **CORS})
    assert response.status_code == status
    assert response[HEADER] == f"client-id-{kind}"
    assert exposed_names(response) == [HEADER]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("path", "status"), RESPONSES)
def test_response_without_incoming_id_gets_a_new_uuid4(kind, path, status):
    response = get(kind, path)
    assert response.status_code == status
    assert is_new_uuid4(response[HEADER])


@pytest.mark.parametrize(
    ("kind", "path"), [("sync", "/api/plain/correlation/"), ("async", "/api/async/correlation/")]
)
def test_view_sees_the_incoming_id(kind, path):
    response = get(kind, path, headers={HEADER: "seen-by-the-view"})
    assert response.json() == {"correlation_id": "seen-by-the-view", "attr": "seen-by-the-view"}


@pytest.mark.parametrize(
    ("kind", "path"), [("sync", "/api/plain/correlation/"), ("async", "/api/async/correlation/")]
)
def test_view_sees_the_generated_id(kind, path):
    response = get(kind, path)
    body = response.json()
    assert body["correlation_id"] == body["attr"] == response[HEADER]
    assert is_new_uuid4(body["correlation_id"])


def test_each_request_without_id_gets_a_different_one(client):
    ids = {client.get("/api/plain/ok/")[HEADER] for _ in range(20)}
    assert len(ids) == 20


def test_longest_accepted_id_is_64_characters(client):
    longest = "a" + "b" * 63
    assert client.get("/api/plain/ok/", headers={HEADER: longest})[HEADER] == longest


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "A.b:c_d-e",
        "3f2b8c1e-5a7d-4e2b-9c1f-0a1b2c3d4e5f",
        "trace.1234:span_9",
        # The documented pattern allows ':', so URN-style ids are plain tokens here.
        "urn:uuid:3f2b8c1e-5a7d-4e2b-9c1f-0a1b2c3d4e5f",
    ],
)
def test_ordinary_ids_are_accepted(client, value):
    assert client.get("/api/plain/ok/", headers={HEADER: value})[HEADER] == value


# --- rejected ids ---------------------------------------------------------------------

CAFE_AS_WSGI_META = "café".encode().decode("latin-1")

REJECTED = [
    pytest.param("", id="empty"),
    pytest.param("r" + "6" * 64, id="65-chars"),
    pytest.param("-rejected-leading-dash", id="leading-dash"),
    pytest.param(".rejected-leading-dot", id="leading-dot"),
    pytest.param("rejected with space", id="space"),
    pytest.param("rejected/slash", id="slash"),
    pytest.param(CAFE_AS_WSGI_META, id="unicode"),
    pytest.param("abc\r\nSet-Cookie: x=1", id="crlf-injection"),
    pytest.param("abc\n", id="trailing-lf"),
    pytest.param("rejected\rcr", id="cr"),
    pytest.param("{3f2b8c1e-5a7d-4e2b-9c1f-0a1b2c3d4e5f}", id="braced-uuid"),
    pytest.param("rejected\x00nul", id="nul"),
    pytest.param("rejected\ttab", id="tab"),
]

# Correlation views (the id in the body), error envelopes carrying the id, a non-API page.
REJECTED_PATHS = [
    ("sync", "/api/plain/correlation/", 200),
    ("async", "/api/async/correlation/", 200),
    ("sync", "/api/plain/raise/runtime/", 500),
    ("sync", "/api/drf/raise/drf_validation/", 400),
    ("async", "/api/async/raise/conflict/", 409),
    ("sync", "/api/no/such/route/", 404),
    ("sync", "/pages/raise/http404/", 404),
]


def forms_of(value):
    """The ways a leaked value could be written: raw, escaped, and the client's original text."""
    forms = {value, repr(value)[1:-1]}
    if value == CAFE_AS_WSGI_META:
        forms.add("café")
    return {form for form in forms if form}


@pytest.mark.parametrize("value", REJECTED)
@pytest.mark.parametrize(("kind", "path", "status"), REJECTED_PATHS)
def test_rejected_id_is_replaced_and_never_echoed(all_logs, kind, path, status, value):
    with override_settings(API_ERRORS={"CORRELATION_ID_IN_BODY": True}):
        response = get(kind, path, headers={HEADER: value})

    assert response.status_code == status  # the response is not broken (no BadHeaderError)

    new_id = response[HEADER]
    assert is_new_uuid4(new_id)
    assert new_id != value
    if "/correlation/" in path:
        assert response.json() == {"correlation_id": new_id, "attr": new_id}
    elif path.startswith("/api/"):
        assert response.json()["correlation_id"] == new_id
    assert "Set-Cookie" not in response
    assert not response.cookies

    body = response.content.decode("utf-8", "replace")
    for form in forms_of(value):
        assert form not in body
        for name, header_value in response.items():
            assert form not in name
            assert form not in header_value
        for record in all_logs.records:
            assert form not in record.getMessage()
            for attribute in vars(record).values():
                assert form not in str(attribute)


@pytest.mark.parametrize("value", REJECTED)
async def test_rejected_id_over_the_async_client_as_raw_bytes(value):
    # The async client sends the header as latin-1 bytes: "café" arrives as non-ASCII text.
    raw = "café" if value == CAFE_AS_WSGI_META else value
    response = await AsyncClient().get("/api/async/correlation/", headers={HEADER: raw})
    assert is_new_uuid4(response[HEADER])
    assert response.json()["correlation_id"] == response[HEADER]
    assert get_correlation_id() is None


# --- settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "path"), [("sync", "/api/plain/correlation/"), ("async", "/api/async/correlation/")]
)
def test_untrusted_incoming_ids_are_ignored(kind, path):
    with override_settings(API_ERRORS={"TRUST_CORRELATION_ID": False}):
        response = get(kind, path, headers={HEADER: "valid-but-untrusted"})
    assert is_new_uuid4(response[HEADER])
    assert response.json()["correlation_id"] == response[HEADER]
    # And trusted again once the setting is back.
    assert get(kind, path, headers={HEADER: "trusted"})[HEADER] == "trusted"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("req-1234", True),
        ("req-12345", False),
        ("xreq-1234", False),
        ("req-12a4", False),
        ("plain-default-id", False),
    ],
)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_custom_pattern_decides_what_is_accepted(kind, value, accepted):
    with override_settings(API_ERRORS={"CORRELATION_ID_PATTERN": r"req-[0-9]{4}"}):
        response = get(kind, "/api/plain/correlation/", headers={HEADER: value})
    if accepted:
        assert response[HEADER] == value
    else:
        assert is_new_uuid4(response[HEADER])
    assert response.json()["correlation_id"] == response[HEADER]


def test_invalid_custom_pattern_rejects_every_id_without_breaking(client):
    with override_settings(API_ERRORS={"CORRELATION_ID_PATTERN": "["}):
        response = client.get("/api/plain/correlation/", headers={HEADER: "abc"})
    assert response.status_code == 200
    assert is_new_uuid4(response[HEADER])


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_custom_header_is_read_and_written(kind):
    with override_settings(API_ERRORS={"CORRELATION_ID_HEADER": "X-Request-ID"}):
        response = get(
            kind, "/api/plain/correlation/", headers={"X-Request-ID": "from-request-id", **CORS}
        )
        ignored = get(kind, "/api/plain/correlation/", headers={HEADER: "sent-in-the-old-header"})
    assert response["X-Request-ID"] == "from-request-id"
    assert response.json()["correlation_id"] == "from-request-id"
    assert HEADER not in response
    assert exposed_names(response) == ["X-Request-ID"]
    assert is_new_uuid4(ignored["X-Request-ID"])
    assert HEADER not in ignored


def test_the_header_replaces_one_a_view_set_in_any_case_and_keeps_the_configured_spelling():
    response = Client().get("/api/plain/ok/", headers={HEADER: "from-client"})
    response.headers["x-correlation-id"] = "stale"
    stamped = APIErrorsMiddleware(lambda request: response)(
        RequestFactory().get("/api/plain/ok/", headers={HEADER: "fresh-1"})
    )
    assert stamped[HEADER] == "fresh-1"
    assert [name for name in stamped.headers if name.lower() == "x-correlation-id"] == [HEADER]


def test_a_header_name_the_checks_refuse_is_still_written_through_django():
    # E012 reports it; if it is silenced, Django's own header rules still apply.
    with override_settings(API_ERRORS={"CORRELATION_ID_HEADER": "X Correlation"}):
        response = Client().get("/api/plain/ok/")
    assert is_new_uuid4(response["X Correlation"])


@pytest.mark.parametrize("pattern", [r".*", r"(?s).*", r"[\s\S]*"])
@pytest.mark.parametrize(
    "value",
    [
        "abc\r\nSet-Cookie: x=1",
        "abc\n",
        "abc\rdef",
        CAFE_AS_WSGI_META,
        "abc\x00",
        "abc\x7f",
        "tab\there",
    ],
)
def test_permissive_pattern_never_accepts_control_or_non_ascii(client, pattern, value):
    with override_settings(API_ERRORS={"CORRELATION_ID_PATTERN": pattern}):
        response = client.get("/api/plain/correlation/", HTTP_X_CORRELATION_ID=value)
        permissive = client.get("/api/plain/ok/", headers={HEADER: "anything goes!"})
    assert response.status_code == 200
    assert is_new_uuid4(response[HEADER])
    assert "Set-Cookie" not in response
    # The pattern itself is honoured for printable ASCII.
    assert permissive[HEADER] == "anything goes!"


# --- Access-Control-Expose-Headers ---------------------------------------------------


@pytest.mark.urls(CORRELATION_URLS)
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "path",
    ["/api/correlation/expose/", "/api/correlation/async-expose/", "/pages/correlation/expose/"],
)
@pytest.mark.parametrize(
    ("set_by_view", "expected"),
    [
        ("X-Other", "X-Other, X-Correlation-ID"),
        ("X-Other, X-Another", "X-Other, X-Another, X-Correlation-ID"),
        ("x-correlation-id", "x-correlation-id"),
        ("X-Other,  X-CORRELATION-ID ", "X-Other,  X-CORRELATION-ID "),
        ("*", "*"),
    ],
)
def test_expose_headers_set_by_the_view_are_kept(kind, path, set_by_view, expected):
    response = get(kind, path, {"value": set_by_view}, headers=CORS)
    assert response[EXPOSE] == expected


@pytest.mark.urls(CORRELATION_URLS)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_expose_headers_only_on_cors_requests(kind):
    plain = get(kind, "/api/plain/ok/")
    error = get(kind, "/api/plain/raise/runtime/")
    kept = get(kind, "/api/correlation/expose/", {"value": "X-Other"})
    assert EXPOSE not in plain
    assert EXPOSE not in error
    assert kept[EXPOSE] == "X-Other"
    assert plain[HEADER]
    assert error[HEADER]


@pytest.mark.urls(CORRELATION_URLS)
def test_expose_headers_names_a_custom_header(client):
    with override_settings(API_ERRORS={"CORRELATION_ID_HEADER": "X-Request-ID"}):
        response = client.get("/api/correlation/expose/", {"value": "X-Other"}, headers=CORS)
    assert exposed_names(response) == ["X-Other", "X-Request-ID"]


@pytest.mark.urls(CORRELATION_URLS)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_expose_headers_untouched_when_exposing_is_off(kind):
    with override_settings(API_ERRORS={"EXPOSE_CORRELATION_HEADER": False}):
        absent = get(kind, "/api/plain/ok/", headers=CORS)
        error = get(kind, "/api/plain/raise/runtime/", headers=CORS)
        kept = get(kind, "/api/correlation/expose/", {"value": "X-Other"}, headers=CORS)
    assert EXPOSE not in absent
    assert EXPOSE not in error
    assert kept[EXPOSE] == "X-Other"
    assert absent[HEADER]
    assert error[HEADER]


# --- the context variable -------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/plain/correlation/", "/api/plain/raise/runtime/", "/pages/raise/runtime/"]
)
def test_context_is_reset_after_a_sync_request(client, path):
    client.get(path, headers={HEADER: "must-not-leak"})
    assert get_correlation_id() is None


def test_context_is_reset_when_the_exception_reaches_the_client():
    with pytest.raises(RuntimeError):
        Client().get("/pages/raise/runtime/", headers={HEADER: "must-not-leak"})
    assert get_correlation_id() is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/async/correlation/",
        "/api/plain/correlation/",
        "/api/async/raise/runtime/",
        "/pages/raise/runtime/",
    ],
)
async def test_context_is_reset_after_an_async_request(async_client, path):
    await async_client.get(path, headers={HEADER: "must-not-leak"})
    assert get_correlation_id() is None


async def test_outer_context_value_is_restored_after_an_async_request(async_client):
    token = set_correlation_id("outer")
    try:
        response = await async_client.get("/api/async/correlation/", headers={HEADER: "inner"})
        assert get_correlation_id() == "outer"
    finally:
        reset_correlation_id(token)
    assert response.json()["correlation_id"] == "inner"


async def test_next_async_request_does_not_inherit_the_previous_id(async_client):
    await async_client.get("/api/async/correlation/", headers={HEADER: "first-request"})
    second = await async_client.get("/api/async/correlation/")
    assert second.json()["correlation_id"] == second[HEADER]
    assert is_new_uuid4(second[HEADER])


# --- concurrency ----------------------------------------------------------------------


@pytest.mark.urls(CORRELATION_URLS)
async def test_concurrent_async_requests_keep_their_own_ids():
    in_flight.reset()
    client = AsyncClient()
    ids = [f"async-{index:03d}" for index in range(50)]

    async def one(index, correlation_id):
        delay = str(0.001 * (index % 7 + 1))
        return await client.get(
            "/api/correlation/async-slow/", {"delay": delay}, headers={HEADER: correlation_id}
        )

    responses = await asyncio.gather(*(one(index, cid) for index, cid in enumerate(ids)))

    assert in_flight.peak > 1  # the requests really overlapped
    for correlation_id, response in zip(ids, responses, strict=True):
        assert response[HEADER] == correlation_id
        assert response.json() == {
            "before": correlation_id,
            "correlation_id": correlation_id,
            "attr": correlation_id,
        }
    assert get_correlation_id() is None


@pytest.mark.urls(CORRELATION_URLS)
@pytest.mark.parametrize("path", ["/api/plain/correlation/", "/api/correlation/sync-slow/"])
async def test_sync_view_under_asgi_sees_its_own_id(path):
    client = AsyncClient()
    ids = [f"sync-under-asgi-{index:02d}" for index in range(20)]
    responses = await asyncio.gather(
        *(client.get(path, {"delay": "0.001"}, headers={HEADER: cid}) for cid in ids)
    )
    for correlation_id, response in zip(ids, responses, strict=True):
        assert response[HEADER] == correlation_id
        body = response.json()
        assert body["correlation_id"] == body["attr"] == correlation_id


@pytest.mark.urls(CORRELATION_URLS)
def test_concurrent_wsgi_threads_keep_their_own_ids():
    in_flight.reset()
    ids = [f"thread-{index:03d}" for index in range(32)]

    def one(correlation_id):
        response = Client().get(
            "/api/correlation/sync-slow/", {"delay": "0.005"}, headers={HEADER: correlation_id}
        )
        return response[HEADER], response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, ids))

    assert in_flight.peak > 1
    for correlation_id, (header, body) in zip(ids, results, strict=True):
        assert header == correlation_id
        assert body == {
            "before": correlation_id,
            "correlation_id": correlation_id,
            "attr": correlation_id,
        }


# --- a real ASGI server ---------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url, correlation_id=None):
    headers = {HEADER: correlation_id} if correlation_id is not None else {}
    request = urllib.request.Request(url, headers=headers)
    with NO_PROXY.open(request, timeout=5) as response:
        return response.headers[HEADER], json.loads(response.read())


def wait_until_up(url, process, log_path, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()
        try:
            fetch(url)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise AssertionError(f"server did not answer within {seconds}s: {log_path.read_text()}")


@pytest.mark.slow
def test_real_asgi_server_keeps_ids_apart(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "uvicorn.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
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
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            wait_until_up(f"{base}/api/plain/ok/", server, log_path)
            ids = [f"server-{index:03d}" for index in range(40)]
            urls = [
                f"{base}/api/async/correlation/" if index % 2 else f"{base}/api/plain/correlation/"
                for index in range(len(ids))
            ]
            with ThreadPoolExecutor(max_workers=20) as pool:
                results = list(pool.map(fetch, urls, ids))
            rejected = fetch(f"{base}/api/async/correlation/", "café")
        finally:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    for correlation_id, (header, body) in zip(ids, results, strict=True):
        assert header == correlation_id
        assert body == {"correlation_id": correlation_id, "attr": correlation_id}
    header, body = rejected
    assert is_new_uuid4(header)
    assert body["correlation_id"] == header


# --- the middleware on its own --------------------------------------------------------


def test_middleware_around_a_sync_callable():
    seen = {}

    def view(request):
        seen["context"] = get_correlation_id()
        seen["attr"] = request.correlation_id
        return HttpResponse("ok")

    middleware = APIErrorsMiddleware(view)
    assert not iscoroutinefunction(middleware)

    response = middleware(RequestFactory().get("/api/unit/", headers={HEADER: "unit-sync", **CORS}))

    assert not asyncio.iscoroutine(response)
    assert response[HEADER] == "unit-sync"
    assert response[EXPOSE] == HEADER
    assert seen == {"context": "unit-sync", "attr": "unit-sync"}
    assert get_correlation_id() is None


async def test_middleware_around_an_async_callable():
    seen = {}

    async def view(request):
        await asyncio.sleep(0)
        seen["context"] = get_correlation_id()
        seen["attr"] = request.correlation_id
        return HttpResponse("ok")

    middleware = APIErrorsMiddleware(view)
    assert iscoroutinefunction(middleware)

    response = await middleware(
        AsyncRequestFactory().get("/api/unit/", headers={HEADER: "unit-async", **CORS})
    )

    assert response[HEADER] == "unit-async"
    assert response[EXPOSE] == HEADER
    assert seen == {"context": "unit-async", "attr": "unit-async"}
    assert get_correlation_id() is None


def test_middleware_around_a_sync_callable_makes_an_id_for_bad_input():
    middleware = APIErrorsMiddleware(lambda request: JsonResponse({"id": get_correlation_id()}))
    request = RequestFactory().get("/pages/unit/", HTTP_X_CORRELATION_ID="bad id\r\nX-Evil: 1")
    response = middleware(request)
    assert is_new_uuid4(response[HEADER])
    assert json.loads(response.content) == {"id": response[HEADER]}
    assert "X-Evil" not in response


def test_sync_middleware_resets_context_when_the_view_raises():
    def view(request):
        raise RuntimeError("boom")

    token = set_correlation_id("outer")
    try:
        # Off the API paths an exception the handlers let through is Django's business.
        with pytest.raises(RuntimeError):
            APIErrorsMiddleware(view)(RequestFactory().get("/pages/unit/", headers={HEADER: "x1"}))
        assert get_correlation_id() == "outer"
    finally:
        reset_correlation_id(token)
    assert get_correlation_id() is None


async def test_async_middleware_resets_context_when_the_view_raises():
    async def view(request):
        raise RuntimeError("boom")

    middleware = APIErrorsMiddleware(view)
    token = set_correlation_id("outer")
    try:
        with pytest.raises(RuntimeError):
            await middleware(AsyncRequestFactory().get("/pages/unit/", headers={HEADER: "x1"}))
        assert get_correlation_id() == "outer"
    finally:
        reset_correlation_id(token)
    assert get_correlation_id() is None


async def test_one_async_middleware_instance_serves_concurrent_requests():
    async def view(request):
        await asyncio.sleep(0.002)
        return JsonResponse({"id": get_correlation_id()})

    middleware = APIErrorsMiddleware(view)
    factory = AsyncRequestFactory()
    ids = [f"unit-{index}" for index in range(30)]
    responses = await asyncio.gather(
        *(middleware(factory.get("/api/unit/", headers={HEADER: cid})) for cid in ids)
    )
    for correlation_id, response in zip(ids, responses, strict=True):
        assert response[HEADER] == correlation_id
        assert json.loads(response.content) == {"id": correlation_id}


# --- new ids and the log filter -------------------------------------------------------


def test_new_correlation_ids_are_distinct_canonical_uuid4():
    ids = [new_correlation_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value


def test_every_digit_of_new_ids_is_random():
    # Each position but the version's takes every value it may (the variant's four).
    ids = [new_correlation_id().replace("-", "") for _ in range(3000)]
    seen = [{value[position] for value in ids} for position in range(32)]
    assert seen[12] == {"4"}
    assert seen[16] == set("89ab")
    assert all(
        digits == set("0123456789abcdef")
        for position, digits in enumerate(seen)
        if position not in (12, 16)
    )


def test_threads_never_share_a_new_id():
    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(lambda _: [new_correlation_id() for _ in range(700)], range(8)))
    ids = [value for batch in batches for value in batch]
    assert len(set(ids)) == len(ids) == 5600


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_never_repeats_its_parents_ids():
    new_correlation_id()  # the parent holds a batch made before the fork
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks; this child only writes.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.close(reader)
        os.write(writer, " ".join(new_correlation_id() for _ in range(300)).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        child = set(pipe.read().split())
    os.waitpid(pid, 0)
    parent = {new_correlation_id() for _ in range(300)}
    assert len(child) == 300
    assert child.isdisjoint(parent)


def make_record():
    return logging.LogRecord("tests", logging.INFO, __file__, 1, "message", (), None)


def test_filter_outside_a_request_uses_a_dash():
    record = make_record()
    assert CorrelationIdFilter().filter(record) is True
    assert record.correlation_id == "-"


def test_filter_uses_the_current_id():
    token = set_correlation_id("filter-id")
    try:
        record = make_record()
        assert CorrelationIdFilter().filter(record) is True
    finally:
        reset_correlation_id(token)
    assert record.correlation_id == "filter-id"


def test_filter_keeps_an_existing_attribute():
    token = set_correlation_id("from-context")
    try:
        record = make_record()
        record.correlation_id = "given-by-caller"
        assert CorrelationIdFilter().filter(record) is True
    finally:
        reset_correlation_id(token)
    assert record.correlation_id == "given-by-caller"


@pytest.mark.urls(CORRELATION_URLS)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_filter_marks_records_logged_inside_a_view(caplog, kind):
    log_filter = CorrelationIdFilter()
    caplog.handler.addFilter(log_filter)
    try:
        with caplog.at_level(logging.INFO, logger="tests.correlation_views"):
            response = get(kind, "/api/correlation/logs/", headers={HEADER: f"logged-{kind}"})
            outside = make_record()
            logging.getLogger("tests.correlation_views").handle(outside)
    finally:
        caplog.handler.removeFilter(log_filter)

    records = [r for r in caplog.records if r.name == "tests.correlation_views"]
    inside = [r for r in records if r.getMessage() == "inside the view"]
    assert len(inside) == 1
    assert inside[0].correlation_id == response[HEADER] == f"logged-{kind}"
    assert outside.correlation_id == "-"
