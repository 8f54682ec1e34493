"""Generated hostile requests through the test client, against tests' URLconf (and the
hostile views), in every style, each sent with DEBUG off and then on.

Random methods, paths under /api/ (percent-encoded control characters, unicode, dot
segments, repeated slashes), query strings, headers (odd correlation ids among them) and
bodies (JSON of random depth with odd numbers, random bytes, broken forms and multipart,
bogus charsets), through the sync and the async client, sometimes with CSRF enforced.

Every answer must be the style's envelope (or a 2xx/3xx), carry a printable correlation id
that echoes the client's only when it matches the pattern, never a 5xx, never the views'
SECRET; and DEBUG on must answer exactly as DEBUG off: status, body and headers.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, override_settings
from django.test.client import FakePayload
from hypothesis import given

from api_errors.active import get_catalog
from tests.hostile_cases import (
    Answer,
    Case,
    Findings,
    answer_findings,
    cases,
    header_differences,
    hypothesis_settings,
    sent_correlation_id,
    short,
)
from tests.views import EXCEPTIONS, SECRET

pytestmark = [pytest.mark.slow, pytest.mark.urls("tests.urls_hostile")]

STYLES = ("status", "success", "problem")
MAX_EXAMPLES = 200
# The raise views' exceptions that are server errors on purpose: not a client's doing.
SERVER_ERROR_NAMES = {"runtime", "drf_api_exception", "upstream_failure", "service_unavailable"}
CLIENT_ERROR_NAMES = sorted(set(EXCEPTIONS) - SERVER_ERROR_NAMES)
ROUTES = [
    "/api/errors/",
    "/api/examples/errors/68300004/",
    "/api/examples/errors/INVALID_ARGUMENT/",
    "/api/examples/errors/NOT_FOUND/",
    "/api/drf/validate/",
    "/api/drf/validate-many/",
    "/api/drf/auth/",
    "/api/drf/no-auth-header/",
    "/api/drf/ok/",
    "/api/drf/throttled/",
    "/api/drf/session-auth/",
    "/api/plain/ok/",
    "/api/plain/correlation/",
    "/api/async/correlation/",
    "/api/plain/get-only/",
    "/api/plain/html-error/",
    "/api/plain/json-error/",
    "/api/plain/read-body/",
    "/api/plain/ratelimited/",
    *(f"/api/plain/html-status/{status}/" for status in (400, 401, 403, 404, 409, 418, 429)),
    "/api/plain/django-validation/dict/",
    "/api/plain/django-validation/list/",
    *(
        f"/api/{entry}/raise/{name}/"
        for entry in ("drf", "plain", "async")
        for name in CLIENT_ERROR_NAMES
    ),
    "/api/hostile/colour/red/",
    "/api/hostile/colour/blue/",
    "/api/hostile/place/",
]
# Django's default; the test settings' 1024 bytes would stop most bodies before parsing.
UPLOAD_LIMIT = 2_621_440
CSRF_COOKIE = "a" * 32

HYPOTHESIS = hypothesis_settings(MAX_EXAMPLES)


def latin1_safe(value: str) -> str:
    """A header value as a server hands it to Django: its UTF-8 bytes read as Latin-1."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8").decode("latin-1")
    return value


def send(case: Case) -> Answer:
    """The case as a server would hand it to Django: the target split into a percent-decoded
    path (bytes read as Latin-1, as WSGI does) and a query string, set directly, since the
    test client would read ``//api/...`` as a host."""
    raw_path, _sep, query = case.target.partition("?")
    path_info = unquote_to_bytes(raw_path).decode("iso-8859-1")
    client_class = AsyncClient if case.use_async else Client
    client = client_class(raise_request_exception=False, enforce_csrf_checks=case.enforce_csrf)
    client.cookies["csrftoken"] = CSRF_COOKIE
    if case.use_async:
        response = async_to_sync(client.request)(**asgi_scope(case, path_info, query))
    else:
        kwargs: dict[str, object] = {"headers": dict(case.headers)}
        if case.content_type is not None:
            kwargs["data"] = case.body
            kwargs["content_type"] = case.content_type
        response = client.generic(
            case.method, "/", PATH_INFO=path_info, QUERY_STRING=query, **kwargs
        )
    return Answer(response.status_code, list(response.headers.items()), response.content)


def asgi_scope(case: Case, path: str, query: str) -> dict[str, object]:
    """What ``AsyncRequestFactory.generic`` builds, with the path set as given."""
    headers = [] if case.header("Host") else [(b"host", b"testserver")]
    scope: dict[str, object] = {
        "method": case.method,
        "path": path,
        "query_string": query,
        "server": ("127.0.0.1", "80"),
        "scheme": "http",
        "headers": headers,
    }
    if case.body:
        headers.append((b"content-length", str(len(case.body)).encode("ascii")))
        headers.append((b"content-type", (case.content_type or "").encode("latin-1")))
        scope["_body_file"] = FakePayload(case.body)
    headers.extend(
        (name.lower().encode("ascii"), latin1_safe(value).encode("latin-1"))
        for name, value in case.headers
    )
    return scope


def run(style: str) -> Findings:
    findings = Findings()
    codes = {entry.code for entry in get_catalog().entries}

    @HYPOTHESIS
    @given(case=cases(ROUTES, protocol_safe=False, in_process=True))
    def one(case: Case) -> None:
        answers = []
        for debug in (False, True):
            with override_settings(DEBUG=debug):
                try:
                    answer = send(case)
                except Exception as exc:  # the test client re-raised: nothing was answered
                    findings.add("raised", type(exc).__name__, case, repr(exc)[:300])
                    return
            answers.append(answer)
            for kind, signature, detail in answer_findings(
                style, case, answer, codes, sent_correlation_id(case, over_the_wire=False)
            ):
                findings.add(kind, f"{signature} (DEBUG {'on' if debug else 'off'})", case, detail)
            if SECRET in answer.body.decode("utf-8", "replace") or any(
                SECRET in value for _name, value in answer.headers
            ):
                findings.add("secret", "SECRET sent to the client", case, short(answer.body))
        off, on = answers
        if (off.status, off.body) != (on.status, on.body):
            findings.add(
                "debug status/body",
                f"{off.status} off, {on.status} on",
                case,
                f"off: {short(off.body)}\n         on:  {short(on.body)}",
            )
        signature, detail = header_differences(off, on)
        if signature:
            findings.add("debug headers", signature, case, f"{off.status}: {detail}")

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=UPLOAD_LIMIT):
        one()
    return findings


_runs: dict[str, Findings] = {}


def findings_for(style: str, settings_fixture) -> Findings:
    """One run per style, shared by the tests below (each can also run alone)."""
    if style not in _runs:
        settings_fixture.API_ERRORS = {"STYLE": style}
        _runs[style] = run(style)
    return _runs[style]


def report(findings: Findings, *kinds: str) -> str:
    lines = findings.of(*kinds)
    return f"{len(lines)} distinct finding(s):\n" + "\n".join(lines)


@pytest.mark.parametrize("style", STYLES)
def test_generated_requests_get_the_envelope_and_a_valid_correlation_id(db, settings, style):
    findings = findings_for(style, settings)
    kinds = ("raised", "5xx", "not an envelope", "correlation", "secret")
    assert not findings.of(*kinds), report(findings, *kinds)


@pytest.mark.parametrize("style", STYLES)
def test_generated_requests_same_status_and_body_with_debug_on_and_off(db, settings, style):
    findings = findings_for(style, settings)
    assert not findings.of("debug status/body"), report(findings, "debug status/body")


@pytest.mark.parametrize("style", STYLES)
def test_generated_requests_same_headers_with_debug_on_and_off(db, settings, style):
    findings = findings_for(style, settings)
    assert not findings.of("debug headers"), report(findings, "debug headers")
