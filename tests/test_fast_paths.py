"""The cheaper paths keep their promises: the debug-page reporter every request gets, the
memoised DRF default-detail check, and the JSON of bodies a strict encoder would refuse."""

from __future__ import annotations

import gc
import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.views.debug import ExceptionReporter
from rest_framework import exceptions as drf

from api_errors.handlers import exception_handler
from api_errors.limits.counters import parse_rate
from api_errors.middleware import PREVIOUS_REPORTER_ATTRIBUTE, KeepingReporter
from api_errors.validation import flatten_drf_detail
from tests.hostile_views import EqualityMeta


class CustomReporter(ExceptionReporter):
    def get_traceback_html(self) -> str:
        return "<p>the project's own debug page</p>"


class SetsReporter:
    """A project middleware above api_errors' that picks its own debug-page reporter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.exception_reporter_class = CustomReporter
        return self.get_response(request)


def test_off_api_paths_the_reporter_is_the_one_the_request_had():
    request = RequestFactory().get("/pages/x/")
    request.__dict__[PREVIOUS_REPORTER_ATTRIBUTE] = CustomReporter
    reporter = KeepingReporter(request, RuntimeError, RuntimeError("x"), None)
    assert type(reporter) is CustomReporter


def test_off_api_paths_the_reporter_is_djangos_default():
    reporter = KeepingReporter(RequestFactory().get("/pages/x/"), None, None, None)
    assert type(reporter) is ExceptionReporter


def test_on_api_paths_the_reporter_keeps_the_exception():
    request = RequestFactory().get("/api/x/")
    exception = RuntimeError("x")
    reporter = KeepingReporter(request, RuntimeError, exception, None)
    assert type(reporter) is KeepingReporter
    assert reporter.get_traceback_html() == ""
    assert request._api_errors_exception is exception


@pytest.mark.parametrize("chain", ["above", "below"])
def test_a_project_reporter_still_renders_debug_pages_off_api_paths(settings, chain):
    ours = "api_errors.middleware.APIErrorsMiddleware"
    project = f"{__name__}.SetsReporter"
    middleware = [project, ours] if chain == "above" else [ours, project]
    with override_settings(DEBUG=True, MIDDLEWARE=middleware):
        page = Client(raise_request_exception=False).get("/pages/raise/runtime/")
        api = Client(raise_request_exception=False).get("/api/plain/raise/runtime/")
    assert page.status_code == 500
    assert b"the project's own debug page" in page.content
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert "debug page" not in api.content.decode()


class UnhashableNotFound(drf.NotFound, metaclass=EqualityMeta):
    pass


def handle(exc: Exception) -> HttpResponse:
    return exception_handler(exc, {"request": RequestFactory().get("/api/x/")})


def test_an_unhashable_drf_exception_class_still_gets_its_message():
    default = json.loads(handle(UnhashableNotFound()).content)
    custom = json.loads(handle(UnhashableNotFound("No such folder")).content)
    assert default["error_message"] == json.loads(handle(drf.NotFound()).content)["error_message"]
    assert custom["error_message"] == "No such folder"


def test_default_detail_memo_keeps_custom_details_apart():
    for _ in range(3):
        assert json.loads(handle(drf.NotFound("gone")).content)["error_message"] == "gone"
        assert json.loads(handle(drf.NotFound()).content)["error_message"] != "Not found."


def test_a_lone_surrogate_is_escaped_not_a_500():
    response = handle(drf.ValidationError({"name": ["bad \ud800 value"]}))
    assert response.status_code == 400
    assert b"\\ud800" in response.content
    body = json.loads(response.content)
    assert body["errors"][0]["message"] == "bad \ud800 value"


@pytest.mark.parametrize(
    ("detail", "fields"),
    [
        (["a", "b"], ["non_field_errors", "non_field_errors"]),
        ([{}, {"name": ["bad"]}], ["1.name"]),
        ([["deep"]], ["0"]),
        ({"": ["empty key"], "items": [{"name": ["bad"]}, "flat"]}, ["", "items.0.name", "items"]),
        ("plain", ["non_field_errors"]),
    ],
)
def test_field_paths_of_every_detail_shape(detail, fields):
    errors = flatten_drf_detail(drf.ValidationError(detail).detail)
    assert [error["field"] for error in errors] == fields
    assert all(set(error) == {"field", "code", "message"} for error in errors)


@pytest.mark.parametrize("rate", [5, None, "5/x", "5/0s", "5/00s", "five/m"])
def test_bad_rates_are_a_clear_error(rate):
    with pytest.raises(ImproperlyConfigured, match="invalid rate"):
        parse_rate(rate)


def cyclic_garbage(path, requests=10):
    """Objects that only the cyclic collector frees, left by ``requests`` WSGI requests."""
    handler = WSGIHandler()

    def call():
        environ = RequestFactory().get(path).environ
        body = handler(environ, lambda status, headers: None)
        for _ in body:
            pass
        body.close()

    call()
    gc.collect()
    gc.disable()
    try:
        for _ in range(requests):
            call()
        return gc.collect()
    finally:
        gc.enable()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/plain/raise/not_found/", "/api/plain/raise/runtime/", "/api/plain/raise/http404/"],
)
def test_an_error_response_leaves_no_more_cycles_than_a_success(path, caplog):
    # The exception's traceback holds frames that hold the response; the response must not
    # hold the exception back, or every error leaves a cycle for the collector.
    caplog.set_level(logging.CRITICAL)
    assert cyclic_garbage(path) <= cyclic_garbage("/api/plain/ok/")
