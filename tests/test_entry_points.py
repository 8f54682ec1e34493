"""Every exception family through every entry point: DRF, plain sync and async views,
Django's error handlers, the CSRF failure view and deeper middleware."""

import json

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import connection
from django.http import Http404
from django.test import Client, RequestFactory
from django.views import csrf, defaults

from api_errors import handlers
from api_errors.styles import BUILTIN_STYLES
from tests.views import EXCEPTIONS, SECRET

# name -> (status-style code, HTTP status, success-style code, HTTP status)
FAMILIES = {
    "http404": (68300007, 404, "NOT_FOUND", 404),
    "permission_denied": (67200004, 403, "ACCESS_DENIED", 403),
    "object_does_not_exist": (68300007, 404, "NOT_FOUND", 404),
    "django_validation": (68300004, 400, "INVALID_ARGUMENT", 400),
    "django_validation_list": (68300004, 400, "INVALID_ARGUMENT", 400),
    "suspicious": (68300007, 400, "INVALID_ARGUMENT", 400),
    "bad_request": (68300007, 400, "INVALID_ARGUMENT", 400),
    "request_too_big": (68300007, 413, "INVALID_ARGUMENT", 413),
    # Ratelimited subclasses PermissionDenied: it must be recognised first.
    "ratelimited": (67200007, 429, "QUOTA_EXCEEDED", 429),
    "runtime": (68300008, 500, "INTERNAL_ERROR", 500),
    "drf_validation": (68300004, 400, "INVALID_ARGUMENT", 400),
    "drf_parse": (68300007, 400, "INVALID_ARGUMENT", 400),
    "drf_not_authenticated": (67200003, 401, "ACCESS_DENIED", 401),
    "drf_authentication_failed": (67200003, 401, "ACCESS_DENIED", 401),
    "drf_permission_denied": (67200004, 403, "ACCESS_DENIED", 403),
    "drf_permission_denied_custom": (67200004, 403, "ACCESS_DENIED", 403),
    "drf_not_found": (68300007, 404, "NOT_FOUND", 404),
    "drf_method_not_allowed": (68300007, 405, "INVALID_ARGUMENT", 405),
    "drf_not_acceptable": (68300007, 406, "INVALID_ARGUMENT", 406),
    "drf_unsupported_media_type": (68300007, 415, "INVALID_ARGUMENT", 415),
    "drf_throttled": (67200007, 429, "QUOTA_EXCEEDED", 429),
    "drf_api_exception": (68300008, 500, "INTERNAL_ERROR", 500),
    "drf_custom_409": (68300007, 409, "DRIVE_ITEM_CONFLICT", 409),
    "invalid_parameter": (68300004, 400, "INVALID_ARGUMENT", 400),
    "bad_request_typed": (68300007, 400, "INVALID_ARGUMENT", 400),
    "not_authenticated": (67200003, 401, "ACCESS_DENIED", 401),
    "authentication_failed": (67200003, 401, "ACCESS_DENIED", 401),
    "client_expired": (67200006, 401, "ACCESS_DENIED", 401),
    "access_denied": (67200004, 403, "ACCESS_DENIED", 403),
    "not_found": (68300007, 404, "NOT_FOUND", 404),
    "conflict": (68300007, 409, "DRIVE_ITEM_CONFLICT", 409),
    "state_not_ready": (68300007, 409, "STATE_NOT_READY", 409),
    "connector_not_linked": (67200004, 403, "CONNECTOR_NOT_LINKED", 403),
    "download_not_supported": (68300007, 400, "DOWNLOAD_NOT_SUPPORTED", 400),
    "file_rejected": (68300010, 400, "INVALID_ARGUMENT", 400),
    "upstream_failure": (68300005, 502, "INTERNAL_ERROR", 502),
    "rate_limited": (67200007, 429, "QUOTA_EXCEEDED", 429),
    "quota_exceeded": (67200002, 403, "QUOTA_EXCEEDED", 402),
    "total_limit_exceeded": (67200001, 403, "QUOTA_EXCEEDED", 402),
    "insufficient_balance": (67200005, 402, "QUOTA_EXCEEDED", 402),
    "service_unavailable": (68300008, 503, "INTERNAL_ERROR", 503),
    "custom_message": (68300007, 409, "DRIVE_ITEM_CONFLICT", 409),
}

# DRF answers 403 instead of 401 when the view has no authenticator to name a challenge
# (DRFRaiseView has none); the code stays the authentication one.
DRF_STATUS = {"drf_not_authenticated": 403, "drf_authentication_failed": 403}

# DEFAULT_RETRY_AFTER is 30; Throttled(wait=3.2) rounds up; RateLimited(retry_after=7).
RETRY_AFTER = {
    "ratelimited": "30",
    "drf_throttled": "4",
    "rate_limited": "7",
    "service_unavailable": "30",
}

ERRORS = {
    "django_validation": [{"field": "name", "code": "bad", "message": "Bad name 1"}],
    "django_validation_list": [
        {"field": "non_field_errors", "code": "nope", "message": "Not valid"}
    ],
    "drf_validation": [{"field": "name", "code": "invalid", "message": "This field is required."}],
    "drf_parse": [
        {"field": "non_field_errors", "code": "parse_error", "message": "Malformed request."}
    ],
}

CUSTOM_MESSAGES = {
    "drf_permission_denied_custom": "You do not own this folder.",
    "custom_message": "A folder named 'x' already exists.",
}

SERVER_ERRORS = ["runtime", "drf_api_exception", "upstream_failure", "service_unavailable"]
CLIENT_ERRORS = ["http404", "permission_denied", "drf_validation", "conflict", "drf_throttled"]

STATUS_KEYS = {"status", "error_code", "error_message"}
SUCCESS_KEYS = {"success", "message", "error_code"}

SYNC_ENTRIES = ("drf", "plain")
ENTRIES = ("drf", "plain", "async")

SERVER_ERROR_BODY = {
    "status": False,
    "error_code": 68300008,
    "error_message": "Service error, please try again later!",
}

# The minimal 500 envelopes sent when rendering itself fails.
FALLBACKS = {
    "status": (
        "application/json",
        {
            "status": False,
            "error_code": 68300008,
            "error_message": "Service error, please try again later!",
        },
    ),
    "success": (
        "application/json",
        {
            "success": False,
            "message": "Unexpected server-side error",
            "error_code": "INTERNAL_ERROR",
        },
    ),
    "problem": (
        "application/problem+json",
        {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "Unexpected server-side error",
            "code": "INTERNAL_ERROR",
        },
    ),
}

RAISING_MIDDLEWARE = [*django_settings.MIDDLEWARE, "tests.faults.RaisingMiddleware"]


def test_table_covers_every_exception_family():
    assert set(FAMILIES) == set(EXCEPTIONS)


def expected(name, style, entry):
    platform_code, platform_status, drive_code, drive_status = FAMILIES[name]
    if style == "status":
        code, status = platform_code, platform_status
    else:
        code, status = drive_code, drive_status
    if entry == "drf":
        status = DRF_STATUS.get(name, status)
    return code, status


def assert_family_response(response, name, style, entry):
    code, status = expected(name, style, entry)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["X-Correlation-ID"]
    body = response.json()
    assert body["error_code"] == code
    assert set(body) - {"errors"} == (STATUS_KEYS if style == "status" else SUCCESS_KEYS)
    assert body.get("errors") == ERRORS.get(name)
    assert response.get("Retry-After") == RETRY_AFTER.get(name)


def get(client, async_client, entry, path):
    if entry == "async":
        return async_to_sync(async_client.get)(path)
    return client.get(path)


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("entry", SYNC_ENTRIES)
@pytest.mark.parametrize("style", ["status", "success"])
def test_family_from_sync_entry_point(client, settings, style, entry, name):
    settings.API_ERRORS = {"STYLE": style}

    response = client.get(f"/api/{entry}/raise/{name}/")

    assert_family_response(response, name, style, entry)


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("style", ["status", "success"])
async def test_family_from_async_entry_point(async_client, settings, style, name):
    settings.API_ERRORS = {"STYLE": style}

    response = await async_client.get(f"/api/async/raise/{name}/")

    assert_family_response(response, name, style, "async")


@pytest.mark.parametrize("name", FAMILIES)
def test_same_body_from_every_entry_point_with_debug_on_and_off(
    client, async_client, settings, name
):
    bodies = []
    for debug in (False, True):
        settings.DEBUG = debug
        for entry in ENTRIES:
            response = get(client, async_client, entry, f"/api/{entry}/raise/{name}/")
            assert SECRET not in response.content.decode()
            bodies.append(response.json())

    assert all(body == bodies[0] for body in bodies)


@pytest.mark.parametrize("name", CUSTOM_MESSAGES)
@pytest.mark.parametrize("entry", ENTRIES)
def test_client_message_written_by_the_view_is_kept(client, async_client, entry, name):
    response = get(client, async_client, entry, f"/api/{entry}/raise/{name}/")

    assert response.json()["error_message"] == CUSTOM_MESSAGES[name]


def test_drf_not_authenticated_keeps_the_auth_view_challenge(client):
    response = client.get("/api/drf/auth/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'
    assert response.json()["error_code"] == 67200003


@pytest.mark.parametrize(
    ("name", "exception"),
    [
        ("runtime", "RuntimeError"),
        ("drf_api_exception", "APIException"),
        ("upstream_failure", "UpstreamFailure"),
    ],
)
@pytest.mark.parametrize("entry", ENTRIES)
def test_server_error_details_only_when_configured(
    client, async_client, settings, entry, name, exception
):
    settings.API_ERRORS = {"EXPOSE_SERVER_ERROR_DETAILS": True}

    body = get(client, async_client, entry, f"/api/{entry}/raise/{name}/").json()

    assert body["debug"] == {"exception": exception, "message": SECRET}


@pytest.mark.parametrize("entry", ENTRIES)
def test_client_errors_never_carry_details(client, async_client, settings, entry):
    settings.API_ERRORS = {"EXPOSE_SERVER_ERROR_DETAILS": True}

    body = get(client, async_client, entry, f"/api/{entry}/raise/http404/").json()

    assert "debug" not in body


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("entry", ["sync", "async"])
def test_unmatched_api_url_is_not_found_envelope(client, async_client, settings, entry, debug):
    settings.DEBUG = debug

    response = get(client, async_client, entry, "/api/does-not-exist/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["X-Correlation-ID"]
    assert response.json() == {
        "status": False,
        "error_code": 68300007,
        "error_message": "Bad request!",
    }


# --- Django's error handlers, called directly ---------------------------------------------


@pytest.mark.parametrize(
    ("handler", "exception", "status", "code"),
    [
        (handlers.handler400, BadRequest(SECRET), 400, 68300007),
        (handlers.handler400, SuspiciousOperation(SECRET), 400, 68300007),
        (handlers.handler400, None, 400, 68300007),
        (handlers.handler403, PermissionDenied(SECRET), 403, 67200004),
        (handlers.handler403, None, 403, 67200004),
        (handlers.handler404, Http404(SECRET), 404, 68300007),
        (handlers.handler404, None, 404, 68300007),
    ],
)
def test_django_handler_on_api_path(handler, exception, status, code):
    response = handler(RequestFactory().get("/api/anything/"), exception)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert SECRET not in response.content.decode()
    assert json.loads(response.content)["error_code"] == code


@pytest.mark.parametrize(
    ("handler", "default", "exception"),
    [
        (handlers.handler400, defaults.bad_request, BadRequest()),
        (handlers.handler403, defaults.permission_denied, PermissionDenied()),
        (handlers.handler404, defaults.page_not_found, Http404()),
    ],
)
def test_django_handler_off_api_path_answers_as_django(handler, default, exception):
    request = RequestFactory().get("/pages/anything/")

    response = handler(request, exception)

    expected_response = default(request, exception)
    assert response.status_code == expected_response.status_code
    assert response["Content-Type"].startswith("text/html")
    assert response.content == expected_response.content


def test_handler500_on_api_path_reports_the_exception_in_flight(settings):
    settings.API_ERRORS = {"EXPOSE_SERVER_ERROR_DETAILS": True}
    request = RequestFactory().get("/api/anything/")

    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        response = handlers.handler500(request)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        **SERVER_ERROR_BODY,
        "debug": {"exception": "RuntimeError", "message": SECRET},
    }


def test_handler500_on_api_path_without_exception():
    response = handlers.handler500(RequestFactory().get("/api/anything/"))

    assert response.status_code == 500
    assert json.loads(response.content) == SERVER_ERROR_BODY


def test_handler500_off_api_path_answers_as_django():
    request = RequestFactory().get("/pages/anything/")

    response = handlers.handler500(request)

    assert response.status_code == 500
    assert response.content == defaults.server_error(request).content


def test_csrf_failure_view_on_and_off_api_path():
    reason = "CSRF cookie not set."
    api_request = RequestFactory().post("/api/anything/")
    page_request = RequestFactory().post("/pages/anything/")

    api_response = handlers.csrf_failure(api_request, reason=reason)
    page_response = handlers.csrf_failure(page_request, reason=reason)

    assert api_response.status_code == 403
    assert json.loads(api_response.content)["error_code"] == 67200004
    assert reason not in api_response.content.decode()
    assert page_response.status_code == 403
    assert page_response.content == csrf.csrf_failure(page_request, reason=reason).content


def test_handlers_leave_the_signal_to_django(request_exceptions):
    request = RequestFactory().get("/api/anything/")
    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        handlers.handler500(request)
    handlers.csrf_failure(request, reason="x")

    assert request_exceptions == []


# --- Through the real middleware stack ----------------------------------------------------


def test_csrf_failure_through_the_middleware():
    csrf_client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    api_response = csrf_client.post("/api/plain/read-body/", {"a": "1"})
    page_response = csrf_client.post("/pages/ok/", {"a": "1"})

    assert api_response.status_code == 403
    assert api_response["Content-Type"] == "application/json"
    assert api_response["X-Correlation-ID"]
    assert api_response.json() == {
        "status": False,
        "error_code": 67200004,
        "error_message": "No permission or API package quota has exceeded the limit!",
    }
    assert page_response.status_code == 403
    assert page_response["Content-Type"].startswith("text/html")


def test_non_json_error_response_on_api_path_becomes_envelope(client):
    response = client.get("/api/plain/html-error/")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": False,
        "error_code": 68300007,
        "error_message": "Bad request!",
    }


def test_json_error_response_on_api_path_is_left_alone(client):
    response = client.get("/api/plain/json-error/")

    assert response.status_code == 400
    assert response.json() == {"chosen": "by the view"}


def test_non_api_paths_keep_django_pages(client):
    not_found = client.get("/pages/raise/http404/")
    server_error = client.get("/pages/raise/runtime/")
    ok = client.get("/pages/ok/")

    assert not_found.status_code == 404
    assert not_found["Content-Type"].startswith("text/html")
    assert b"<h1>Not Found</h1>" in not_found.content
    assert server_error.status_code == 500
    assert b"<h1>Server Error (500)</h1>" in server_error.content
    assert SECRET not in server_error.content.decode()
    assert ok.status_code == 200
    assert ok.content == b"<p>hello</p>"


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("entry", ["sync", "async"])
def test_exception_in_deeper_middleware_becomes_envelope(
    client, async_client, settings, entry, debug
):
    settings.MIDDLEWARE = RAISING_MIDDLEWARE
    settings.DEBUG = debug

    api_response = get(client, async_client, entry, "/api/plain/ok/")
    page_response = get(client, async_client, entry, "/pages/ok/")

    assert api_response.status_code == 500
    assert api_response["Content-Type"] == "application/json"
    assert api_response["X-Correlation-ID"]
    assert api_response.json() == SERVER_ERROR_BODY
    assert SECRET not in api_response.content.decode()
    assert page_response.status_code == 500
    assert page_response["Content-Type"].startswith("text/html")


# --- Reporting: Django's got_request_exception --------------------------------------------


@pytest.fixture
def request_exceptions():
    """The paths of the requests ``got_request_exception`` was sent for."""
    received = []

    def receiver(sender, request=None, **kwargs):
        received.append(request.path)

    got_request_exception.connect(receiver)
    yield received
    got_request_exception.disconnect(receiver)


@pytest.mark.parametrize("name", SERVER_ERRORS)
@pytest.mark.parametrize("entry", ENTRIES)
def test_signal_sent_once_for_server_errors(client, async_client, request_exceptions, entry, name):
    path = f"/api/{entry}/raise/{name}/"

    get(client, async_client, entry, path)

    assert request_exceptions == [path]


@pytest.mark.parametrize("name", CLIENT_ERRORS)
@pytest.mark.parametrize("entry", ENTRIES)
def test_no_signal_for_client_errors(client, async_client, request_exceptions, entry, name):
    get(client, async_client, entry, f"/api/{entry}/raise/{name}/")

    assert request_exceptions == []


@pytest.mark.parametrize("entry", ["sync", "async"])
def test_signal_sent_once_for_exception_in_deeper_middleware(
    client, async_client, settings, request_exceptions, entry
):
    settings.MIDDLEWARE = RAISING_MIDDLEWARE

    get(client, async_client, entry, "/api/plain/ok/")

    assert request_exceptions == ["/api/plain/ok/"]


# --- Database rollback --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["runtime", "conflict", "drf_validation"])
def test_drf_error_rolls_back_atomic_request(client, monkeypatch, name):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

    response = client.post(f"/api/drf/create-then-raise/{name}/")

    assert response.status_code >= 400
    assert not User.objects.filter(username="rolled-back").exists()


# --- When rendering itself fails ----------------------------------------------------------


def broken_renderer(style, error, context):
    raise ValueError("renderer broke")


FAILING_REQUESTS = [
    pytest.param("get", "/api/drf/raise/runtime/", id="drf"),
    pytest.param("get", "/api/plain/raise/http404/", id="plain"),
    pytest.param("post", "/api/plain/get-only/", id="plain-error-response"),
]


def assert_fallback(response, style, path):
    content_type, body = FALLBACKS[style]
    if style == "problem":
        body = {**body, "instance": path}  # complete, as the problem schema requires
    assert response.status_code == 500
    assert response["Content-Type"] == content_type
    assert response["X-Correlation-ID"]
    assert response.json() == body


# The style's broken rendering also breaks the schema's examples, which contract mode
# would generate to check the fallback.
@pytest.mark.api_errors_contract(False)
@pytest.mark.parametrize(("method", "path"), FAILING_REQUESTS)
@pytest.mark.parametrize("style", FALLBACKS)
def test_broken_renderer_falls_back_to_style_envelope(
    client, settings, monkeypatch, style, method, path
):
    settings.API_ERRORS = {"STYLE": style}
    monkeypatch.setattr(BUILTIN_STYLES[style], "error_body", broken_renderer)

    response = getattr(client, method)(path)

    assert_fallback(response, style, path)


# The style's broken rendering also breaks the schema's examples, which contract mode
# would generate to check the fallback.
@pytest.mark.api_errors_contract(False)
@pytest.mark.parametrize("style", FALLBACKS)
async def test_broken_renderer_falls_back_from_async_view(
    async_client, settings, monkeypatch, style
):
    settings.API_ERRORS = {"STYLE": style}
    monkeypatch.setattr(BUILTIN_STYLES[style], "error_body", broken_renderer)

    response = await async_client.get("/api/async/raise/runtime/")

    assert_fallback(response, style, "/api/async/raise/runtime/")


@pytest.mark.parametrize(("method", "path"), FAILING_REQUESTS)
@pytest.mark.parametrize("style", FALLBACKS)
def test_pipeline_whose_respond_fails_falls_back(client, settings, style, method, path):
    settings.API_ERRORS = {"STYLE": style, "PIPELINE": "tests.faults.RespondFailsPipeline"}

    response = getattr(client, method)(path)

    assert_fallback(response, style, path)


@pytest.mark.parametrize(("method", "path"), FAILING_REQUESTS)
@pytest.mark.parametrize("style", FALLBACKS)
def test_unimportable_pipeline_falls_back(client, settings, style, method, path):
    settings.API_ERRORS = {"STYLE": style, "PIPELINE": "tests.faults.NoSuchPipeline"}

    response = getattr(client, method)(path)

    assert_fallback(response, style, path)
