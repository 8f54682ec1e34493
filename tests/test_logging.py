"""One record on the ``api_errors`` logger per error response, none on the happy path."""

from __future__ import annotations

import logging

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, RequestFactory, override_settings

import api_errors
from api_errors.pipeline import respond_to_exception

HEADER = "X-Correlation-ID"

CLIENT_ERRORS = [
    ("sync", "get", "/api/drf/raise/drf_validation/", 400),
    ("sync", "get", "/api/drf/raise/drf_not_found/", 404),
    ("sync", "put", "/api/drf/ok/", 405),
    ("sync", "get", "/api/plain/raise/http404/", 404),
    ("sync", "get", "/api/plain/raise/permission_denied/", 403),
    ("sync", "get", "/api/plain/raise/ratelimited/", 429),
    ("sync", "get", "/api/plain/html-error/", 400),
    ("sync", "post", "/api/plain/get-only/", 405),
    ("sync", "get", "/api/no/such/route/", 404),
    ("async", "get", "/api/async/raise/conflict/", 409),
    ("async", "get", "/api/async/raise/drf_validation/", 400),
    ("async", "get", "/api/drf/raise/not_found/", 404),
    ("async", "get", "/api/no/such/route/", 404),
]

SERVER_ERRORS = [
    ("sync", "get", "/api/plain/raise/runtime/", 500),
    ("sync", "get", "/api/drf/raise/runtime/", 500),
    ("async", "get", "/api/async/raise/runtime/", 500),
    ("async", "get", "/api/drf/raise/runtime/", 500),
]

SUCCESSES = [
    ("sync", "get", "/api/plain/ok/", 200),
    ("sync", "get", "/api/drf/ok/", 200),
    ("sync", "get", "/api/plain/correlation/", 200),
    ("sync", "get", "/pages/ok/", 200),
    ("async", "get", "/api/async/correlation/", 200),
    ("async", "get", "/api/plain/ok/", 200),
    ("async", "get", "/api/drf/ok/", 200),
]


def request(kind, method, path):
    headers = {HEADER: f"log-{kind}-{method}"}
    if kind == "sync":
        return getattr(Client(raise_request_exception=False), method)(path, headers=headers)
    client = AsyncClient(raise_request_exception=False)
    return async_to_sync(getattr(client, method))(path, headers=headers)


def api_errors_records(caplog):
    return [record for record in caplog.records if record.name == "api_errors"]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize(("kind", "method", "path", "status"), CLIENT_ERRORS + SERVER_ERRORS)
def test_one_record_per_error_response_with_its_attributes(logs, kind, method, path, status):
    response = request(kind, method, path)

    assert response.status_code == status
    records = api_errors_records(logs)
    assert len(records) == 1
    record = records[0]
    assert record.error_code == response.json()["error_code"]
    assert record.status_code == status
    assert record.correlation_id == response[HEADER] == f"log-{kind}-{method}"
    assert record.method == method.upper()
    assert record.path == path


@pytest.mark.parametrize(("kind", "method", "path", "status"), CLIENT_ERRORS)
def test_client_errors_log_at_warning_by_default(logs, kind, method, path, status):
    request(kind, method, path)
    [record] = api_errors_records(logs)
    assert record.levelno == logging.WARNING


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("INFO", logging.INFO),
        ("info", logging.INFO),
        ("ERROR", logging.ERROR),
        (logging.DEBUG, logging.DEBUG),
        (15, 15),
    ],
)
@pytest.mark.parametrize(
    ("kind", "method", "path", "status"),
    [CLIENT_ERRORS[0], CLIENT_ERRORS[6], CLIENT_ERRORS[9]],
)
def test_client_error_level_is_configurable(logs, level, expected, kind, method, path, status):
    with override_settings(API_ERRORS={"CLIENT_ERROR_LOG_LEVEL": level}):
        request(kind, method, path)
    [record] = api_errors_records(logs)
    assert record.levelno == expected


@pytest.mark.parametrize(("kind", "method", "path", "status"), SERVER_ERRORS)
@pytest.mark.parametrize("client_level", [None, "INFO"])
def test_server_errors_log_at_error_with_the_traceback(
    logs, kind, method, path, status, client_level
):
    settings = {} if client_level is None else {"CLIENT_ERROR_LOG_LEVEL": client_level}
    with override_settings(API_ERRORS=settings):
        request(kind, method, path)

    [record] = api_errors_records(logs)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    exc_type, exc, traceback = record.exc_info
    assert exc_type is RuntimeError
    assert isinstance(exc, RuntimeError)
    assert traceback is not None
    formatted = logging.Formatter().formatException(record.exc_info)
    assert formatted.startswith("Traceback (most recent call last):")
    assert "in _raise" in formatted  # the frame in tests/views.py that raised


@pytest.mark.parametrize(("kind", "method", "path", "status"), SUCCESSES)
def test_no_record_for_successful_responses(logs, kind, method, path, status):
    assert logging.getLogger("api_errors").isEnabledFor(logging.DEBUG)
    response = request(kind, method, path)
    assert response.status_code == status
    assert [r for r in logs.records if r.name.split(".")[0] == "api_errors"] == []


def test_repeated_errors_log_once_each(logs):
    client = Client(raise_request_exception=False)
    ids = [f"repeat-{index}" for index in range(5)]
    for correlation_id in ids:
        client.get("/api/plain/raise/http404/", headers={HEADER: correlation_id})
    assert [record.correlation_id for record in api_errors_records(logs)] == ids


class QuietConflict(api_errors.Conflict):
    log_level = logging.INFO


@pytest.mark.parametrize(
    ("exception", "level"),
    [(QuietConflict(), "INFO"), (api_errors.Conflict(), "WARNING")],
)
def test_an_api_error_can_name_the_level_of_its_4xx_record(caplog, exception, level):
    caplog.set_level(logging.DEBUG, logger="api_errors")
    response = respond_to_exception(exception, RequestFactory().get("/api/things/"))
    assert response.status_code == 409
    assert [r.levelname for r in caplog.records if r.name == "api_errors"] == [level]
