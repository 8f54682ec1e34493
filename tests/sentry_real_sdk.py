"""The Sentry integration with sentry-sdk's own Django and Celery integrations, as a
project runs them. They patch Django for good, so ``tests/test_integration_sentry.py``
runs this module in a process of its own (its name keeps it out of the suite).
"""

import asyncio
import io
import json
from types import SimpleNamespace
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler

from api_errors.integrations.sentry import CORRELATION_ID_TAG, ERROR_CODE_TAG, SentryIntegration
from tests.sentry_support import (
    HEADER,
    CapturingTransport,
    close_sentry,
    init_sentry,
    isolation_tags,
    with_sentry,
)


@pytest.fixture(scope="module")
def real_transport():
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    transport = CapturingTransport()
    init_sentry(transport, [DjangoIntegration(), CeleryIntegration()])
    yield transport
    close_sentry()


@pytest.fixture
def events(real_transport):
    real_transport.envelopes.clear()
    yield real_transport
    real_transport.envelopes.clear()


def assert_tagged(event, response):
    assert event["tags"][CORRELATION_ID_TAG] == response[HEADER]
    assert event["tags"][ERROR_CODE_TAG] == str(response.json()["error_code"])


@with_sentry
def test_real_sdk_a_server_error_sends_one_event_with_both_tags(client, events):
    response = client.get("/api/plain/raise/runtime/")
    assert response.status_code == 500
    (event,) = events.events()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert_tagged(event, response)


@with_sentry
def test_real_sdk_sequential_requests_do_not_share_tags(client, events):
    first = client.get("/api/drf/raise/drf_api_exception/", headers={HEADER: "first-request"})
    second = client.get("/api/tracing/capture-message/", headers={HEADER: "second-request"})
    assert first.status_code == 500
    assert second.status_code == 200
    first_event, second_event = events.events()
    assert_tagged(first_event, first)
    assert second_event["tags"] == {CORRELATION_ID_TAG: "second-request"}


def wsgi_get(path, headers):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO()}
    environ.update(headers)
    setup_testing_defaults(environ)
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"] = int(status.split()[0])
        started["headers"] = dict(response_headers)

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return SimpleNamespace(status=started["status"], headers=started["headers"], body=body)


@with_sentry
def test_real_sdk_the_wsgi_handler_tags_the_scope_it_forks_for_the_request(events):
    response = wsgi_get("/api/plain/raise/runtime/", {"HTTP_X_CORRELATION_ID": "wsgi-request"})
    assert response.status == 500
    (event,) = events.events()
    assert event["tags"] == {
        CORRELATION_ID_TAG: "wsgi-request",
        ERROR_CODE_TAG: str(json.loads(response.body)["error_code"]),
    }
    assert CORRELATION_ID_TAG not in isolation_tags()


async def asgi_get(path, headers):
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    disconnected = asyncio.Event()
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await ASGIHandler()(scope, receive, send)
    disconnected.set()
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return SimpleNamespace(status=start["status"], headers=dict(start["headers"]), body=body)


@with_sentry
async def test_real_sdk_the_asgi_handler_tags_an_async_views_server_error(events):
    response = await asgi_get("/api/async/raise/runtime/", [(b"x-correlation-id", b"asgi-request")])
    assert response.status == 500
    assert response.headers[b"X-Correlation-ID"] == b"asgi-request"
    (event,) = events.events()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"] == {
        CORRELATION_ID_TAG: "asgi-request",
        ERROR_CODE_TAG: str(json.loads(response.body)["error_code"]),
    }


@with_sentry
async def test_real_sdk_the_async_client_tags_an_async_views_event(async_client, events):
    response = await async_client.get(
        "/api/tracing/async-capture-message/", headers={HEADER: "async-request"}
    )
    assert response.status_code == 200
    (event,) = events.events()
    assert event["tags"] == {CORRELATION_ID_TAG: "async-request"}


def test_real_sdk_each_celery_task_has_a_scope_of_its_own(events):
    from celery import Celery, signals

    app = Celery("api-errors-sentry-tests", set_as_current=False)

    @app.task
    def tagged(correlation_id):
        sentry_sdk.capture_message("a message from a task")

    def started(task, args, **kwargs):
        # Where a Celery integration binds; never unbound here: only the task's own
        # scope, which sentry-sdk forks before task_prerun, may keep the tag.
        if task.name == tagged.name:
            SentryIntegration().bind(args[0])

    signals.task_prerun.connect(started, weak=False)
    try:
        result = tagged.apply(args=("task-id",))
    finally:
        signals.task_prerun.disconnect(started)
    assert result.successful(), result.traceback
    (event,) = events.events()
    assert event["tags"][CORRELATION_ID_TAG] == "task-id"
    assert CORRELATION_ID_TAG not in isolation_tags()
