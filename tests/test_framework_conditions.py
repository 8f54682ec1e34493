"""The framework-condition table in all three styles, each condition produced the real way.

Conditions come from DRF's own request handling (parsing, negotiation, authentication,
permissions, throttling), from Django (URL resolution, body size, ``require_GET``),
from django-ratelimit, from views' own HTML error pages and from views raising.
"""

from typing import NamedTuple

import pytest
from asgiref.sync import async_to_sync

STATUS_STYLE = "status"
SUCCESS_STYLE = "success"
PROBLEM_STYLE = "problem"
STYLES = (STATUS_STYLE, SUCCESS_STYLE, PROBLEM_STYLE)

# condition -> ((status-style code, HTTP status), (success-style code, HTTP status))
EXPECTED = {
    "validation_error": ((68300004, 400), ("INVALID_ARGUMENT", 400)),
    "malformed_request": ((68300007, 400), ("INVALID_ARGUMENT", 400)),
    "not_authenticated": ((67200003, 401), ("ACCESS_DENIED", 401)),
    "authentication_failed": ((67200003, 401), ("ACCESS_DENIED", 401)),
    "permission_denied": ((67200004, 403), ("ACCESS_DENIED", 403)),
    "not_found": ((68300007, 404), ("NOT_FOUND", 404)),
    "method_not_allowed": ((68300007, 405), ("INVALID_ARGUMENT", 405)),
    "not_acceptable": ((68300007, 406), ("INVALID_ARGUMENT", 406)),
    "unsupported_media_type": ((68300007, 415), ("INVALID_ARGUMENT", 415)),
    "request_too_large": ((68300007, 413), ("INVALID_ARGUMENT", 413)),
    "rate_limited": ((67200007, 429), ("QUOTA_EXCEEDED", 429)),
    "quota_exceeded": ((67200002, 403), ("QUOTA_EXCEEDED", 402)),
    "insufficient_balance": ((67200005, 402), ("QUOTA_EXCEEDED", 402)),
    "service_unavailable": ((68300008, 503), ("INTERNAL_ERROR", 503)),
    "server_error": ((68300008, 500), ("INTERNAL_ERROR", 500)),
}

# The status-style catalog messages, to check framework conditions carry no invented text.
PLATFORM_MESSAGES = {
    68300004: "Invalid parameter!",
    68300007: "Bad request!",
    68300008: "Service error, please try again later!",
    67200002: "Quota exceeds the limit!",
    67200003: "Access token expired or authentication error!",
    67200004: "No permission or API package quota has exceeded the limit!",
    67200005: "Insufficient balance, call failed!",
    67200007: "Exceeded the call limit, call failed!",
}

ENVELOPE_KEYS = {
    STATUS_STYLE: {"status", "error_code", "error_message"},
    SUCCESS_STYLE: {"success", "message", "error_code"},
    PROBLEM_STYLE: {"type", "title", "status", "detail", "instance", "code"},
}
CODE_KEY = {STATUS_STYLE: "error_code", SUCCESS_STYLE: "error_code", PROBLEM_STYLE: "code"}
CONTENT_TYPE = {
    STATUS_STYLE: "application/json",
    SUCCESS_STYLE: "application/json",
    PROBLEM_STYLE: "application/problem+json",
}

BASIC_CHALLENGE = 'Basic realm="api"'
TOO_BIG_FORM = "field=" + "x" * 2000  # DATA_UPLOAD_MAX_MEMORY_SIZE is 1024 in the test settings


class Call(NamedTuple):
    """One real request that produces a condition."""

    method: str
    path: str
    data: object = None
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    use_async: bool = False
    # Headers the envelope must keep from the framework's own answer.
    kept: tuple[tuple[str, str], ...] = ()
    # Client text the framework wrote on purpose (kept on 4xx instead of the catalog's).
    message: str | None = None


def raising(entry, name):
    return Call("get", f"/api/{entry}/raise/{name}/", use_async=entry == "async")


def own_html_page(status):
    return Call("get", f"/api/plain/html-status/{status}/")


PRODUCERS = [
    # validation_error
    (
        "validation_error",
        "drf-serializer",
        Call("post", "/api/drf/validate/", {}, "application/json"),
    ),
    ("validation_error", "plain-django-validation", raising("plain", "django_validation")),
    ("validation_error", "async-django-validation", raising("async", "django_validation")),
    # malformed_request
    (
        "malformed_request",
        "drf-bad-json",
        Call("post", "/api/drf/validate/", "{bad", "application/json"),
    ),
    ("malformed_request", "plain-bad-request", raising("plain", "bad_request")),
    ("malformed_request", "async-suspicious", raising("async", "suspicious")),
    ("malformed_request", "plain-own-html-400", Call("get", "/api/plain/html-error/")),
    (
        "malformed_request",
        "django-disallowed-host",
        Call("get", "/api/plain/ok/", headers=(("Host", "evil.example"),)),
    ),
    # not_authenticated
    (
        "not_authenticated",
        "drf-no-credentials",
        Call("get", "/api/drf/auth/", kept=(("WWW-Authenticate", BASIC_CHALLENGE),)),
    ),
    ("not_authenticated", "plain-typed", raising("plain", "not_authenticated")),
    ("not_authenticated", "async-drf-exception", raising("async", "drf_not_authenticated")),
    ("not_authenticated", "plain-own-html-401", own_html_page(401)),
    # authentication_failed
    (
        "authentication_failed",
        "drf-bad-credentials",
        Call(
            "get",
            "/api/drf/auth/",
            headers=(("Authorization", "Basic"),),
            kept=(("WWW-Authenticate", BASIC_CHALLENGE),),
            message="Invalid basic header. No credentials provided.",
        ),
    ),
    ("authentication_failed", "plain-typed", raising("plain", "authentication_failed")),
    ("authentication_failed", "async-drf-exception", raising("async", "drf_authentication_failed")),
    # permission_denied
    ("permission_denied", "drf-permission-class", Call("get", "/api/drf/no-auth-header/")),
    ("permission_denied", "plain-django", raising("plain", "permission_denied")),
    ("permission_denied", "async-typed", raising("async", "access_denied")),
    ("permission_denied", "plain-own-html-403", own_html_page(403)),
    # not_found
    ("not_found", "unmatched-url", Call("get", "/api/does-not-exist/")),
    ("not_found", "drf-not-found", raising("drf", "drf_not_found")),
    ("not_found", "plain-http404", raising("plain", "http404")),
    ("not_found", "async-object-does-not-exist", raising("async", "object_does_not_exist")),
    ("not_found", "plain-own-html-404", own_html_page(404)),
    # method_not_allowed
    (
        "method_not_allowed",
        "drf-wrong-method",
        Call("put", "/api/drf/validate/", kept=(("Allow", "POST, OPTIONS"),)),
    ),
    (
        "method_not_allowed",
        "plain-require-get",
        Call("post", "/api/plain/get-only/", kept=(("Allow", "GET"),)),
    ),
    ("method_not_allowed", "async-drf-exception", raising("async", "drf_method_not_allowed")),
    # not_acceptable
    (
        "not_acceptable",
        "drf-accept-xml",
        Call("get", "/api/drf/ok/", headers=(("Accept", "application/xml"),)),
    ),
    ("not_acceptable", "plain-own-html-406", own_html_page(406)),
    # unsupported_media_type
    (
        "unsupported_media_type",
        "drf-text-plain",
        Call("post", "/api/drf/validate/", "hello", "text/plain"),
    ),
    ("unsupported_media_type", "plain-own-html-415", own_html_page(415)),
    # request_too_large
    (
        "request_too_large",
        "plain-big-form",
        Call("post", "/api/plain/read-body/", TOO_BIG_FORM, "application/x-www-form-urlencoded"),
    ),
    (
        "request_too_large",
        "drf-big-json",
        Call("post", "/api/drf/validate/", '"' + "x" * 2000 + '"', "application/json"),
    ),
    ("request_too_large", "plain-own-html-413", own_html_page(413)),
    # rate_limited
    (
        "rate_limited",
        "drf-throttle",
        Call("get", "/api/drf/throttled/", kept=(("Retry-After", "4"),)),
    ),
    ("rate_limited", "plain-django-ratelimit", Call("get", "/api/plain/ratelimited/")),
    ("rate_limited", "async-typed", raising("async", "rate_limited")),
    ("rate_limited", "plain-own-html-429", own_html_page(429)),
    # quota_exceeded
    ("quota_exceeded", "drf-typed", raising("drf", "quota_exceeded")),
    ("quota_exceeded", "plain-typed", raising("plain", "quota_exceeded")),
    ("quota_exceeded", "async-typed", raising("async", "quota_exceeded")),
    # insufficient_balance
    ("insufficient_balance", "drf-typed", raising("drf", "insufficient_balance")),
    ("insufficient_balance", "plain-typed", raising("plain", "insufficient_balance")),
    ("insufficient_balance", "async-typed", raising("async", "insufficient_balance")),
    ("insufficient_balance", "plain-own-html-402", own_html_page(402)),
    # service_unavailable
    ("service_unavailable", "drf-typed", raising("drf", "service_unavailable")),
    ("service_unavailable", "plain-typed", raising("plain", "service_unavailable")),
    ("service_unavailable", "async-typed", raising("async", "service_unavailable")),
    ("service_unavailable", "plain-own-html-503", own_html_page(503)),
    # server_error
    ("server_error", "drf-runtime-error", raising("drf", "runtime")),
    ("server_error", "plain-runtime-error", raising("plain", "runtime")),
    ("server_error", "async-runtime-error", raising("async", "runtime")),
    ("server_error", "plain-own-html-500", own_html_page(500)),
]
PRODUCER_PARAMS = [
    pytest.param(condition, call, id=f"{condition}-{label}") for condition, label, call in PRODUCERS
]


def send(call, client, async_client):
    kwargs = {}
    if call.data is not None:
        kwargs["data"] = call.data
    if call.content_type is not None:
        kwargs["content_type"] = call.content_type
    if call.headers:
        kwargs["headers"] = dict(call.headers)
    if call.use_async:
        return async_to_sync(getattr(async_client, call.method))(call.path, **kwargs)
    return getattr(client, call.method)(call.path, **kwargs)


def expected_for(condition, style):
    platform, drive = EXPECTED[condition]
    return platform if style == STATUS_STYLE else drive


def test_every_framework_condition_has_a_producer():
    assert {condition for condition, _, _ in PRODUCERS} == set(EXPECTED)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("condition", "call"), PRODUCER_PARAMS)
def test_condition_answers_documented_code_and_status(
    client, async_client, settings, style, condition, call
):
    settings.API_ERRORS = {"STYLE": style}
    code, status = expected_for(condition, style)

    response = send(call, client, async_client)

    assert response.status_code == status
    assert response["Content-Type"] == CONTENT_TYPE[style]
    assert response["X-Correlation-ID"]
    body = response.json()
    assert body[CODE_KEY[style]] == code
    assert set(body) - {"errors"} == ENVELOPE_KEYS[style]
    if style == PROBLEM_STYLE:
        assert body["status"] == status
        assert body["instance"] == call.path
    if status in (429, 503):
        assert response["Retry-After"].isdigit()
    else:
        assert "Retry-After" not in response
    for name, value in call.kept:
        assert response[name] == value


@pytest.mark.parametrize(("condition", "call"), PRODUCER_PARAMS)
def test_condition_message_is_the_catalog_message(client, async_client, condition, call):
    """Framework-made details never replace the catalog's message; only text written for
    clients on purpose (a view's or an authenticator's own detail) does."""
    code, _ = expected_for(condition, STATUS_STYLE)

    body = send(call, client, async_client).json()

    assert body["error_message"] == (call.message or PLATFORM_MESSAGES[code])


def test_drf_view_without_authenticator_raises_permission_denied(client):
    """With no authenticator at all, DRF's permission check raises PermissionDenied itself."""
    response = client.get("/api/drf/no-auth-header/")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert response.json()["error_code"] == 67200004


@pytest.mark.parametrize(("style", "code"), [("status", 67200003), ("success", "ACCESS_DENIED")])
def test_drf_coerces_not_authenticated_to_403_without_a_challenge(client, settings, style, code):
    """Session authentication names no challenge: DRF answers 403 and the envelope follows it,
    keeping the authentication code."""
    settings.API_ERRORS = {"STYLE": style}

    response = client.get("/api/drf/session-auth/")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert response.json()["error_code"] == code
