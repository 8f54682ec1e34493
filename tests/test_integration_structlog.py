"""The structlog integration against real structlog, through the test clients.

This module is also the URLconf of its tests: two views that log with structlog.
"""

import json

import pytest
import structlog
from django.http import JsonResponse
from django.test import override_settings
from django.urls import path

from api_errors.integrations.structlog import StructlogIntegration
from tests.doc_pages import python_block_after

ON = {"INTEGRATIONS": ["structlog"]}
# The JSON logs recipe of "Beyond the request", run as written.
JSON_LOGS = python_block_after("docs/integrations.md", "## structlog (JSON logs)")


def place_order(request):
    structlog.get_logger().info("order placed", order=42)
    return JsonResponse({"bound": structlog.contextvars.get_contextvars()})


async def place_order_async(request):
    await structlog.get_logger().ainfo("order placed", order=42)
    return JsonResponse({"bound": structlog.contextvars.get_contextvars()})


urlpatterns = [
    path("api/orders", place_order),
    path("api/orders-async", place_order_async),
]


@pytest.fixture
def structlog_on():
    saved = structlog.get_config()
    with override_settings(API_ERRORS=ON, ROOT_URLCONF=__name__):
        try:
            yield
        finally:
            structlog.configure(**saved)
            structlog.contextvars.clear_contextvars()


@pytest.fixture
def json_logs(structlog_on, capsys):
    exec(JSON_LOGS, {})
    capsys.readouterr()

    def lines():
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    return lines


def test_a_request_binds_its_id_for_structlog(json_logs, client):
    response = client.get("/api/orders", HTTP_X_CORRELATION_ID="abc-123")
    assert response.json() == {"bound": {"correlation_id": "abc-123"}}
    [line] = json_logs()
    assert line["correlation_id"] == "abc-123"
    assert line["event"] == "order placed"
    assert line["order"] == 42
    assert line["level"] == "info"
    assert "timestamp" in line
    assert structlog.contextvars.get_contextvars() == {}


def test_a_new_id_is_the_one_logged(json_logs, client):
    response = client.get("/api/orders", HTTP_X_CORRELATION_ID="not valid\r\n")
    [line] = json_logs()
    assert line["correlation_id"] == response.headers["X-Correlation-ID"]
    assert line["correlation_id"] != "not valid\r\n"


async def test_an_async_view_sees_the_id(structlog_on, async_client):
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        response = await async_client.get(
            "/api/orders-async", headers={"X-Correlation-ID": "abc-123"}
        )
    assert response.json() == {"bound": {"correlation_id": "abc-123"}}
    assert [entry["correlation_id"] for entry in logs] == ["abc-123"]
    assert structlog.contextvars.get_contextvars() == {}


def test_what_was_bound_before_the_request_is_back_after_it(structlog_on, client):
    structlog.contextvars.bind_contextvars(correlation_id="outer-1", worker="w1")
    response = client.get("/api/orders", HTTP_X_CORRELATION_ID="abc-123")
    assert response.json() == {"bound": {"correlation_id": "abc-123", "worker": "w1"}}
    assert structlog.contextvars.get_contextvars() == {"correlation_id": "outer-1", "worker": "w1"}


def test_nothing_is_bound_when_the_integration_is_off(structlog_on, client):
    with override_settings(API_ERRORS={}):
        response = client.get("/api/orders", HTTP_X_CORRELATION_ID="abc-123")
    assert response.json() == {"bound": {}}


def test_nested_binds_restore_the_outer_id(structlog_on):
    integration = StructlogIntegration()
    outer = integration.bind("outer-1")
    inner = integration.bind("inner-1")
    assert structlog.contextvars.get_contextvars() == {"correlation_id": "inner-1"}
    integration.unbind(inner)
    assert structlog.contextvars.get_contextvars() == {"correlation_id": "outer-1"}
    integration.unbind(outer)
    assert structlog.contextvars.get_contextvars() == {}


def test_unbinding_after_a_failed_bind_does_nothing(structlog_on):
    structlog.contextvars.bind_contextvars(correlation_id="outer-1")
    StructlogIntegration().unbind(None)  # what bind_all keeps for a bind that raised
    assert structlog.contextvars.get_contextvars() == {"correlation_id": "outer-1"}
