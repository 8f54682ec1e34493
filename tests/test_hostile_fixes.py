"""What "a client's bad input is a 400, nothing escapes the envelope on API paths, DEBUG
changes nothing" promises, pinned down one hostile request at a time, in every style and
with DEBUG off and on.

- deeply nested JSON is malformed_request, not a 500;
- a number out of range for a field is validation_error naming the field (dotted when nested);
- a server bug (in a serializer's validate_<field>, a nested serializer, a view) stays a 500
  that says nothing of it;
- a path converter failing with a non-ValueError is malformed_request;
- log records escape the control characters of the method and path;
- the problem style's fallback has instance, the render failure is logged with the
  correlation id, an unhashable exception class gets the real 500 envelope;
- a form too big behind CSRF is a 413; paths written //api/... or in absolute form are API
  paths; and DEBUG on answers as DEBUG off for all of the above, for every exception the
  test views raise and for every row of the framework-condition table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, override_settings

from api_errors.styles import ProblemStyle, StatusStyle, SuccessStyle
from tests.example.support import STYLES
from tests.hostile_cases import MALFORMED, SERVER_ERROR, UUID4, VALIDATION, error_of
from tests.test_framework_conditions import PRODUCER_PARAMS
from tests.test_framework_conditions import send as send_condition
from tests.views import EXCEPTIONS, SECRET

pytestmark = pytest.mark.urls("tests.urls_hostile")

NOT_FOUND = {"status": 68300007, "success": "NOT_FOUND", "problem": "NOT_FOUND"}
TOO_LARGE = MALFORMED
FALLBACK = {"status": StatusStyle, "success": SuccessStyle, "problem": ProblemStyle}
DEBUG = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])

CORRELATION_ID = "hostile-test-1"
DEEP_BODIES = {
    "list-10k": "[" * 10_000,
    "list-100k": "[" * 100_000,
    "object-10k": '{"a":' * 10_000,
    "list-10k-closed": "[" * 10_000 + "]" * 10_000,
}
OUT_OF_RANGE = ["1e999", "-1e999"]
# Django's default limit, which the test settings lower to 1024 bytes.
DEFAULT_UPLOAD_LIMIT = 2_621_440
THREE_MB_FORM = "field=" + "x" * (3 * 1024 * 1024)
FEW_KB_FORM = "field=" + "x" * 4096
CSRF_COOKIE = "a" * 32


@pytest.fixture(params=STYLES)
def style(request, settings):
    settings.API_ERRORS = {"STYLE": request.param}
    return request.param


def place_body(number):
    return f'{{"name": "a", "address": {{"city": {number}}}}}'


def post_json(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def both_debug(send: Callable[[], object]):
    """``send()`` with DEBUG off, then on."""
    responses = []
    for debug in (False, True):
        with override_settings(DEBUG=debug):
            responses.append(send())
    return responses


def comparable(response):
    """Status, body and headers (the correlation id's value aside) of a response."""
    headers = {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower() != "x-correlation-id"
    }
    assert response.headers.get("X-Correlation-ID")
    return response.status_code, response.content, headers


def assert_same_with_debug_on_and_off(send):
    off, on = both_debug(send)
    assert comparable(on) == comparable(off)


# --- 1. deeply nested JSON ----------------------------------------------------------------


@DEBUG
@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
def test_deeply_nested_json_is_malformed_request(client, settings, style, debug, body):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None

    response = post_json(client, "/api/drf/validate/", body, **{"X-Correlation-ID": CORRELATION_ID})

    assert error_of(response, style) == (400, MALFORMED[style])
    assert response.headers["X-Correlation-ID"] == CORRELATION_ID
    assert "errors" not in response.json()


# --- 2. numbers out of range, nested fields -----------------------------------------------


@DEBUG
@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_number_out_of_range_in_a_nested_field_names_the_dotted_path(
    client, settings, style, debug, number
):
    settings.DEBUG = debug
    body = place_body(number)

    response = post_json(client, "/api/hostile/place/", body)

    assert error_of(response, style) == (400, VALIDATION[style])
    located = {"pointer": "#/address/city", "location": "body"} if style == "problem" else {}
    assert response.json()["errors"] == [
        {"field": "address.city", "code": "invalid", "message": "Invalid value.", **located}
    ]


# --- 3. a server bug stays a 500 ----------------------------------------------------------

SERVER_BUGS = {
    "validate-field": ("/api/hostile/validate-bug/", '{"name": "a"}'),
    "nested-validate": ("/api/hostile/nested-validate-bug/", '{"inner": {"place": {"city": 1}}}'),
    "drf-view-body": ("/api/hostile/view-bug/", '{"name": "a"}'),
    "plain-view-body": ("/api/hostile/plain-view-bug/", '{"name": "a"}'),
}


@DEBUG
@pytest.mark.parametrize(("path", "body"), SERVER_BUGS.values(), ids=SERVER_BUGS)
def test_key_error_in_server_code_is_the_generic_500(client, settings, style, debug, path, body):
    settings.DEBUG = debug

    response = post_json(client, path, body)

    assert error_of(response, style) == (500, SERVER_ERROR[style])
    assert "errors" not in response.json()
    assert SECRET not in response.content.decode()
    assert not any(SECRET in f"{name}: {value}" for name, value in response.headers.items())


# --- 4. a path converter's bug ------------------------------------------------------------


@DEBUG
def test_converter_raising_key_error_is_malformed_request(client, settings, style, debug):
    settings.DEBUG = debug

    response = client.get("/api/hostile/colour/blue/", headers={"X-Correlation-ID": CORRELATION_ID})

    assert error_of(response, style) == (400, MALFORMED[style])
    assert response.headers["X-Correlation-ID"] == CORRELATION_ID
    assert client.get("/api/hostile/colour/red/").json() == {"colour": 1}


def test_converter_error_is_the_same_with_debug_on_and_off(client, style):
    assert_same_with_debug_on_and_off(
        lambda: client.get(
            "/api/hostile/colour/blue/", headers={"X-Correlation-ID": CORRELATION_ID}
        )
    )


# --- 5. log injection ---------------------------------------------------------------------

FORGED_LINE = "%0a2026-12-01 00:00:00,000 ERROR [victim-1] api_errors: forged"
# method, path, and what the record's path and method hold instead of the raw characters
INJECTIONS = {
    "newline-in-path": (
        "GET",
        f"/api/x{FORGED_LINE}",
        "/api/x\\n2026-12-01 00:00:00,000 ERROR [victim-1] api_errors: forged",
        "GET",
    ),
    "escape-in-path": ("GET", "/api/x%1b[31mred", "/api/x\\x1b[31mred", "GET"),
    "crlf-in-path": ("GET", "/api/x%0d%0aforged%5c", "/api/x\\r\\nforged\\\\", "GET"),
    "newline-in-method": ("GE\nT", "/api/missing/", "/api/missing/", "GE\\nT"),
    # Django upper-cases the method: ESC [ 3 1 M
    "escape-in-method": ("G\x1b[31mET", "/api/missing/", "/api/missing/", "G\\x1b[31MET"),
}


def api_errors_records(caplog):
    return [record for record in caplog.records if record.name == "api_errors"]


@DEBUG
@pytest.mark.parametrize(
    ("method", "path", "logged_path", "logged_method"), INJECTIONS.values(), ids=INJECTIONS
)
def test_log_records_escape_control_characters(
    client, settings, caplog, debug, method, path, logged_path, logged_method
):
    settings.DEBUG = debug
    caplog.set_level(logging.DEBUG, logger="api_errors")

    response = client.generic(method, path)

    assert response.status_code == 404
    records = api_errors_records(caplog)
    assert records
    for record in records:
        for text in (record.getMessage(), record.path, record.method):
            assert "\n" not in text
            assert "\r" not in text
            assert "\x1b" not in text
    (record,) = records
    assert record.path == logged_path
    assert record.method == logged_method
    assert record.getMessage().startswith(f"{logged_method} {logged_path} -> 404 ")


# --- 6. the fallback, the render failure's record, unhashable exception classes -----------


@DEBUG
def test_render_failure_sends_the_fallback_and_logs_the_correlation_id(
    client, settings, caplog, style, debug
):
    settings.DEBUG = debug
    caplog.set_level(logging.DEBUG, logger="api_errors")
    path = "/api/hostile/conflict-bad-header/"

    response = client.get(path, headers={"X-Correlation-ID": CORRELATION_ID})

    assert error_of(response, style) == (500, SERVER_ERROR[style])
    assert response.headers["X-Correlation-ID"] == CORRELATION_ID
    assert "X-Bad" not in response.headers
    body = response.json()
    expected = dict(FALLBACK[style].fallback_body)
    if style == "problem":
        expected["instance"] = path
    assert body == expected
    failures = [
        record
        for record in api_errors_records(caplog)
        if record.levelno >= logging.ERROR and record.exc_info
    ]
    assert failures
    assert all(CORRELATION_ID in record.getMessage() for record in failures)


UNHASHABLE = {"drf": "/api/hostile/unhashable/", "plain": "/api/hostile/plain-unhashable/"}


@DEBUG
@pytest.mark.parametrize("entry", UNHASHABLE)
def test_unhashable_exception_class_gets_the_real_500_envelope(
    client, settings, caplog, style, debug, entry
):
    settings.DEBUG = debug
    caplog.set_level(logging.DEBUG, logger="api_errors")
    path = UNHASHABLE[entry]

    response = client.get(path, headers={"X-Correlation-ID": CORRELATION_ID})
    runtime = client.get(f"/api/{entry}/raise/runtime/").json()

    assert error_of(response, style) == (500, SERVER_ERROR[style])
    assert SECRET not in response.content.decode()
    body = response.json()
    if style == "problem":
        assert body["instance"] == path
        runtime["instance"] = path
    assert body == runtime
    messages = [record.getMessage() for record in api_errors_records(caplog)]
    assert not any("could not render" in message for message in messages), messages
    (reported,) = [
        record
        for record in api_errors_records(caplog)
        if getattr(record, "status_code", None) == 500 and CORRELATION_ID in record.getMessage()
    ]
    assert reported.error_code == SERVER_ERROR[style]
    assert reported.correlation_id == CORRELATION_ID


# --- 7. a form too big behind CSRF --------------------------------------------------------


def csrf_client():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = CSRF_COOKIE
    return client


FORMS = {
    "3mb-default-limit": (THREE_MB_FORM, DEFAULT_UPLOAD_LIMIT),
    "4kb-test-limit": (FEW_KB_FORM, 1024),
}


@DEBUG
@pytest.mark.parametrize(("form", "limit"), FORMS.values(), ids=FORMS)
def test_form_too_big_behind_csrf_is_413(settings, style, debug, form, limit):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit

    response = csrf_client().post(
        "/api/plain/read-body/", form, content_type="application/x-www-form-urlencoded"
    )

    assert error_of(response, style) == (413, TOO_LARGE[style])


@pytest.mark.parametrize(("form", "limit"), FORMS.values(), ids=FORMS)
def test_form_too_big_behind_csrf_same_body_with_debug_on_and_off(settings, style, form, limit):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit
    client = csrf_client()
    off, on = both_debug(
        lambda: client.post(
            "/api/plain/read-body/", form, content_type="application/x-www-form-urlencoded"
        )
    )
    assert (on.status_code, on.content) == (off.status_code, off.content)


@pytest.mark.parametrize(("form", "limit"), FORMS.values(), ids=FORMS)
def test_form_too_big_behind_csrf_same_headers_with_debug_on_and_off(settings, style, form, limit):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit
    client = csrf_client()
    assert_same_with_debug_on_and_off(
        lambda: client.post(
            "/api/plain/read-body/", form, content_type="application/x-www-form-urlencoded"
        )
    )


# --- 8. //api/... and absolute-form paths -------------------------------------------------

ODD_PATHS = {
    "double-slash": "//api/errors/",
    "triple-slash": "///api/errors/",
    "absolute-form": "http://testserver/api/errors/",
    "absolute-form-unmatched": "http://testserver/api/nowhere/",
}


@DEBUG
@pytest.mark.parametrize("path_info", ODD_PATHS.values(), ids=ODD_PATHS)
def test_odd_api_paths_get_the_not_found_envelope(client, settings, style, debug, path_info):
    settings.DEBUG = debug

    response = client.generic(
        "GET", "/x/", PATH_INFO=path_info, headers={"X-Correlation-ID": CORRELATION_ID}
    )

    assert not response.headers["Content-Type"].startswith("text/html")
    assert error_of(response, style) == (404, NOT_FOUND[style])
    assert response.headers["X-Correlation-ID"] == CORRELATION_ID
    if style == "problem":
        # request.path, as Django makes it from the path info: "/" + all but its first "/".
        assert response.json()["instance"] == "/" + path_info.replace("/", "", 1)


@pytest.mark.parametrize("path_info", ODD_PATHS.values(), ids=ODD_PATHS)
def test_odd_api_paths_same_with_debug_on_and_off(client, style, path_info):
    assert_same_with_debug_on_and_off(
        lambda: client.generic(
            "GET", "/x/", PATH_INFO=path_info, headers={"X-Correlation-ID": CORRELATION_ID}
        )
    )


# --- DEBUG on and off side by side: every scenario above ----------------------------------


def scenario_requests():
    """``{id: send(client)}`` for every scenario above: one request each."""

    def deep(body):
        def send(client):
            with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
                return post_json(client, "/api/drf/validate/", body)

        return send

    scenarios = {f"deep-json-{name}": deep(body) for name, body in DEEP_BODIES.items()}
    for number in OUT_OF_RANGE:
        body = place_body(number)
        scenarios[f"nested-{number}"] = lambda client, body=body: post_json(
            client, "/api/hostile/place/", body
        )
    for name, (path, body) in SERVER_BUGS.items():
        scenarios[f"server-bug-{name}"] = lambda client, path=path, body=body: post_json(
            client, path, body
        )
    scenarios["converter-key-error"] = lambda client: client.get("/api/hostile/colour/blue/")
    for name, (method, path, _path, _method) in INJECTIONS.items():
        scenarios[f"log-{name}"] = lambda client, method=method, path=path: client.generic(
            method, path
        )
    scenarios["fallback"] = lambda client: client.get("/api/hostile/conflict-bad-header/")
    for name, path in UNHASHABLE.items():
        scenarios[f"unhashable-{name}"] = lambda client, path=path: client.get(path)
    for name, path_info in ODD_PATHS.items():
        scenarios[f"path-{name}"] = lambda client, path_info=path_info: client.generic(
            "GET", "/x/", PATH_INFO=path_info
        )
    return scenarios


SCENARIOS = scenario_requests()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_same_with_debug_on_and_off(style, scenario):
    client = Client(raise_request_exception=False, HTTP_X_CORRELATION_ID=CORRELATION_ID)
    assert_same_with_debug_on_and_off(lambda: SCENARIOS[scenario](client))


# --- DEBUG on and off side by side: every exception, every condition row ------------------


def raise_request(entry, name):
    path = f"/api/{entry}/raise/{name}/"
    headers = {"X-Correlation-ID": CORRELATION_ID}
    if entry == "async":
        client = AsyncClient(raise_request_exception=False)
        return lambda: async_to_sync(client.get)(path, headers=headers)
    client = Client(raise_request_exception=False)
    return lambda: client.get(path, headers=headers)


# The two exhaustive products below run in the full suite; the quick loop (make fast) keeps
# the targeted cases above.
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
@pytest.mark.parametrize("entry", ["drf", "plain", "async"])
def test_every_exception_same_with_debug_on_and_off(style, entry, name):
    send = raise_request(entry, name)
    off, on = both_debug(send)
    assert off.headers["X-Correlation-ID"] == on.headers["X-Correlation-ID"] == CORRELATION_ID
    assert comparable(on) == comparable(off)
    assert SECRET not in on.content.decode()


@pytest.mark.slow
@pytest.mark.parametrize(("condition", "call"), PRODUCER_PARAMS)
def test_every_condition_row_same_with_debug_on_and_off(style, condition, call):
    headers = {**dict(call.headers), "X-Correlation-ID": CORRELATION_ID}
    call = call._replace(headers=tuple(headers.items()))
    client = Client(raise_request_exception=False)
    async_client = AsyncClient(raise_request_exception=False)
    off, on = both_debug(lambda: send_condition(call, client, async_client))
    assert comparable(on) == comparable(off)


def test_generated_uuid_when_no_id_is_sent(client):
    """The comparisons above ignore the id's value; when none is sent, both make a UUID4."""
    off, on = both_debug(lambda: client.get("/api/hostile/colour/blue/"))
    assert UUID4.fullmatch(off.headers["X-Correlation-ID"])
    assert UUID4.fullmatch(on.headers["X-Correlation-ID"])
