"""The example's drive API under hostile input, in process under the example's own settings,
in every style, with DEBUG off and on: deeply nested JSON and out-of-range numbers sent to
``POST /api/drive/items/``, and OPTIONS and HEAD on every route the example serves."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.models import QuerySet
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from api_errors.limits.counters import limits_cache
from example_project.drive.management.commands.seed_demo import DEMO_KEY
from example_project.drive.models import DriveItem
from tests.example.support import bearer
from tests.hostile_cases import MALFORMED, SERVER_ERROR, VALIDATION, error_of

pytestmark = pytest.mark.urls("example_project.urls")

DEBUG = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
CORRELATION_ID = "hostile-example-1"
SECONDS_LEFT = re.compile(r";t=\d+")
DEEP_BODIES = {
    "list-10k": "[" * 10_000,
    "list-100k": "[" * 100_000,
    "object-10k": '{"a":' * 10_000,
}
OUT_OF_RANGE = ["1e999", "-1e999"]
# Every route of example_project/urls.py and example_project/drive/urls.py, as requested
# (the seeded drive: 1 the Documents folder, 2 readme.txt, 3 video.mp4 still processing).
ROUTES = {
    "api/errors/": "/api/errors/",
    "api/examples/errors/<str:code>/": "/api/examples/errors/{code}/",
    "api/drive/items/": "/api/drive/items/",
    "api/drive/items/<int:pk>/": "/api/drive/items/1/",
    "api/drive/items/<int:pk>/download/": "/api/drive/items/2/download/",
    "api/drive/imports/": "/api/drive/imports/",
    "api/search/": "/api/search/?q=read",
    "api/docs/errors/": "/api/docs/errors/",
    "api/schema/": "/api/schema/",
    "api/schema/swagger/": "/api/schema/swagger/",
    "api/schema/redoc/": "/api/schema/redoc/",
}
EXTRA_TARGETS = {
    "processing-download": "/api/drive/items/3/download/",
    "folder-download": "/api/drive/items/1/download/",
    "unknown-item": "/api/drive/items/999999/",
}
# A client error each style's catalog documents, for /api/examples/errors/<code>/.
EXAMPLE_CODE = {"status": 68300004, "success": "INVALID_ARGUMENT", "problem": "INVALID_ARGUMENT"}
ERROR_MEDIA = {
    "status": "application/json",
    "success": "application/json",
    "problem": "application/problem+json",
}


def parent_body(number):
    return f'{{"name": "a", "kind": "folder", "parent": {number}}}'


def create(client, body):
    return client.post(
        "/api/drive/items/",
        body,
        content_type="application/json",
        headers={**bearer(DEMO_KEY), "X-Correlation-ID": CORRELATION_ID},
    )


def comparable(response):
    """Status, body and headers, the correlation id's value and the seconds left in a
    rate-limit window (``t=``) aside."""
    headers = {
        name.lower(): SECONDS_LEFT.sub(";t=?", value)
        for name, value in response.headers.items()
        if name.lower() != "x-correlation-id"
    }
    assert response.headers.get("X-Correlation-ID")
    return response.status_code, body_of(response), headers


def body_of(response):
    """The body, read to the end when streamed (a download)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def both_debug(send):
    """``send()`` with DEBUG off, then on, each with the rate-limit counts at zero."""
    responses = []
    for debug in (False, True):
        limits_cache().clear()
        with override_settings(DEBUG=debug):
            responses.append(send())
    return responses


# --- POST /api/drive/items/: deep JSON, numbers out of range ------------------------------


@DEBUG
@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
def test_deeply_nested_json_to_the_drive_is_malformed_request(
    client, items, served_as_example, settings, debug, body
):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    before = DriveItem.objects.count()

    response = create(client, body)

    assert error_of(response, served_as_example) == (400, MALFORMED[served_as_example])
    assert response.headers["X-Correlation-ID"] == CORRELATION_ID
    assert DriveItem.objects.count() == before


@DEBUG
@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_parent_out_of_range_is_a_validation_error_on_parent(
    client, items, served_as_example, settings, debug, number
):
    settings.DEBUG = debug
    before = DriveItem.objects.count()

    response = create(client, parent_body(number))

    assert error_of(response, served_as_example) == (400, VALIDATION[served_as_example])
    located = {"pointer": "#/parent", "location": "body"}
    assert response.json()["errors"] == [
        {
            "field": "parent",
            "code": "invalid",
            "message": "Invalid value.",
            **(located if served_as_example == "problem" else {}),
        }
    ]
    assert DriveItem.objects.count() == before


@DEBUG
def test_database_failing_while_a_field_looks_up_the_value_is_a_500(
    client, items, served_as_example, settings, debug
):
    """A server's failure inside a field's ``to_internal_value`` (here the database, while
    ``PrimaryKeyRelatedField`` looks up a valid parent) is not the client's mistake."""
    settings.DEBUG = debug
    real_get = QuerySet.get

    def get(queryset, *args, **kwargs):
        if queryset.model is DriveItem:
            raise OperationalError("database is locked")
        return real_get(queryset, *args, **kwargs)

    with mock.patch.object(QuerySet, "get", get):
        response = create(client, '{"name": "a", "kind": "folder", "parent": 1}')

    assert error_of(response, served_as_example) == (500, SERVER_ERROR[served_as_example])
    assert "errors" not in response.json()


BODIES = {
    **{f"deep-{name}": body for name, body in DEEP_BODIES.items()},
    **{f"parent-{number}": parent_body(number) for number in OUT_OF_RANGE},
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES)
def test_drive_hostile_bodies_same_with_debug_on_and_off(
    client, items, served_as_example, settings, body
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    off, on = both_debug(lambda: create(client, body))
    assert comparable(on) == comparable(off)


# --- OPTIONS and HEAD on every route ------------------------------------------------------


def route_templates(patterns, prefix=""):
    """``"api/drive/items/<int:pk>/"`` and the like: every route of a URLconf."""
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from route_templates(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            yield text


def test_every_api_route_of_the_example_is_requested():
    routes = {
        route
        for route in route_templates(get_resolver("example_project.urls").url_patterns)
        if route.startswith("api/")
    }
    assert routes == set(ROUTES)


def target_of(template, style):
    return template.format(code=EXAMPLE_CODE[style])


TARGETS = {**ROUTES, **EXTRA_TARGETS}
KEYS = pytest.mark.parametrize("key", [None, DEMO_KEY], ids=["no-key", "demo-key"])


def send(client, method, target, key):
    headers = {"X-Correlation-ID": CORRELATION_ID}
    if key:
        headers.update(bearer(key))
    return client.generic(method, target, headers=headers)


@DEBUG
@KEYS
@pytest.mark.parametrize("route", TARGETS)
def test_options_is_200_with_allow_or_405_envelope_with_allow(
    client, items, served_as_example, settings, debug, key, route
):
    settings.DEBUG = debug

    response = send(client, "OPTIONS", target_of(TARGETS[route], served_as_example), key)

    assert response.status_code != 500
    assert response.headers["X-Correlation-ID"] == CORRELATION_ID
    assert response.headers.get("Allow")
    assert "OPTIONS" in response.headers["Allow"] or response.status_code == 405
    if response.status_code == 200:
        return
    # Without a key DRF authenticates OPTIONS like any method: the drive's 401.
    if response.status_code == 401 and key is None:
        assert error_of(response, served_as_example)[0] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        return
    assert response.status_code == 405
    assert error_of(response, served_as_example)[0] == 405


@DEBUG
@KEYS
@pytest.mark.parametrize("route", TARGETS)
def test_head_is_get_without_a_body(client, items, served_as_example, settings, debug, key, route):
    settings.DEBUG = debug
    target = target_of(TARGETS[route], served_as_example)

    get = send(client, "GET", target, key)
    head = send(client, "HEAD", target, key)

    assert head.status_code != 500
    assert head.status_code == get.status_code
    assert body_of(head) == b""
    assert head.headers["X-Correlation-ID"] == CORRELATION_ID
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    if head.status_code >= 400:
        assert head.headers["Content-Type"] == ERROR_MEDIA[served_as_example]
        assert error_of(get, served_as_example)[0] == head.status_code
    if head.status_code == 405:
        assert head.headers.get("Allow")


@KEYS
@pytest.mark.parametrize("method", ["OPTIONS", "HEAD"])
@pytest.mark.parametrize("route", TARGETS)
def test_options_and_head_same_with_debug_on_and_off(
    client, items, served_as_example, key, method, route
):
    target = target_of(TARGETS[route], served_as_example)
    off, on = both_debug(lambda: send(client, method, target, key))
    assert comparable(on) == comparable(off)


# --- DEBUG on and off: what Django answers before any view --------------------------------

UNROUTED = {
    "unmatched": "/api/nowhere/",
    "double-slash": "//api/errors/",
    "absolute-form": "http://127.0.0.1/api/errors/",
}


@pytest.mark.parametrize("path_info", UNROUTED.values(), ids=UNROUTED)
def test_unrouted_api_paths_same_with_debug_on_and_off(client, items, served_as_example, path_info):
    """The example's middleware (security headers, Content-Language, Vary) answers these
    too: the envelope must carry the same headers whether DEBUG shows a page or not."""
    off, on = both_debug(
        lambda: client.generic(
            "GET",
            "/x/",
            PATH_INFO=path_info,
            headers={"X-Correlation-ID": CORRELATION_ID, "Host": "127.0.0.1"},
        )
    )
    assert error_of(off, served_as_example)[0] == error_of(on, served_as_example)[0] == 404
    assert comparable(on) == comparable(off)
