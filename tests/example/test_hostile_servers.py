"""Hostile requests to the example served for real: runserver, uvicorn and gunicorn, in each
style, each with DEBUG off and on side by side (two servers, a seeded database each).

Requests go down raw sockets, so paths can be what no HTTP library would send: percent-
encoded control characters, dot segments, repeated slashes, absolute form. Generated cases
are protocol-valid HTTP/1.1 (uppercase methods, an ASCII request target, header values of
visible ASCII), so every server hands them to Django; what a server refuses by itself
never reaches the package.

Every answer on an API path must be the style's envelope (or a 2xx/3xx), with a printable
correlation id, echoed only when valid, and no 5xx; the DEBUG-on server must answer each
case with the DEBUG-off server's status and body, and headers. Fixed cases on top: the
hostile bodies of the drive API, a 3 MB form behind CSRF, //api/... and absolute-form
paths, forged log lines, and OPTIONS and HEAD on every route.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given

from example_project.drive.management.commands.seed_demo import DEMO_KEY
from tests.example.support import (
    REPO_ROOT,
    STYLES,
    Server,
    copy_db,
    example_env,
    runserver,
    stop,
    wait_until_up,
)
from tests.hostile_cases import (
    Answer,
    Case,
    Findings,
    answer_findings,
    cases,
    header_differences,
    hypothesis_settings,
    normalized_body,
    sent_correlation_id,
    short,
)

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 40
REQUEST_TIMEOUT = 15
AUTHORITY = "{authority}"
# What only says when and by whom it was answered.
VOLATILE_HEADERS = frozenset({"date", "server"})
MALFORMED = {"status": 68300007, "success": "INVALID_ARGUMENT", "problem": "INVALID_ARGUMENT"}
VALIDATION = {"status": 68300004, "success": "INVALID_ARGUMENT", "problem": "INVALID_ARGUMENT"}
NOT_FOUND = {"status": 68300007, "success": "NOT_FOUND", "problem": "NOT_FOUND"}
EXAMPLE_CODE = {"status": 68300004, "success": "INVALID_ARGUMENT", "problem": "INVALID_ARGUMENT"}
ROUTES = [
    "/api/errors/",
    "/api/examples/errors/68300004/",
    "/api/examples/errors/INVALID_ARGUMENT/",
    "/api/examples/errors/NOT_FOUND/",
    "/api/docs/errors/",
    "/api/schema/",
    "/api/schema/swagger/",
    "/api/schema/redoc/",
    "/api/drive/items/",
    "/api/drive/items/1/",
    "/api/drive/items/2/",
    "/api/drive/items/1/download/",
    "/api/drive/items/2/download/",
    "/api/drive/items/3/download/",
    "/api/drive/items/99999999999999999999/",
    "/api/drive/imports/",
    "/api/search/",
]
# The search is rate limited per key in time windows: with a valid key, two servers could
# see one request fall on either side of a window's end. Generated searches carry no key.
WINDOWED = "api/search"
HYPOTHESIS = hypothesis_settings(MAX_EXAMPLES)


def uvicorn(port):
    return [
        *(sys.executable, "-m", "uvicorn", "example_project.asgi:application"),
        *("--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"),
        *("--log-level", "warning"),
    ]


def gunicorn(port):
    command = [
        *(sys.executable, "-m", "gunicorn", "example_project.wsgi"),
        *("--workers", "1", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "3"),
    ]
    if int(version("gunicorn").split(".")[0]) >= 27:
        command.append("--no-control-socket")
    return command


COMMANDS = {"runserver": runserver, "uvicorn": uvicorn, "gunicorn": gunicorn}


def two_free_ports():
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        return first.getsockname()[1], second.getsockname()[1]


@contextmanager
def debug_off_and_on(kind, style, seeded_db, directory: Path) -> Iterator[tuple[Server, Server]]:
    """Two servers of ``kind`` in ``style``, DEBUG off and on, started together, each on its
    own copy of the seeded database; both stopped however the test ends."""
    with ExitStack() as stack:
        servers = []
        for debug, port in zip(("", "1"), two_free_ports(), strict=True):
            home = directory / f"debug-{'on' if debug else 'off'}"
            home.mkdir()
            db_path = copy_db(seeded_db, home)
            log_path = home / "server.log"
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    COMMANDS[kind](port),
                    cwd=REPO_ROOT,
                    env=example_env(style, db_path, DJANGO_DEBUG=debug),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            stack.callback(stop, process)
            servers.append(Server(f"http://127.0.0.1:{port}", process, log_path))
        for server in servers:
            wait_until_up(server.process, f"{server.base}/api/errors/")
        yield servers[0], servers[1]


def authority(server: Server) -> str:
    return server.base.removeprefix("http://")


def raw_request(case: Case, server: Server) -> bytes:
    here = authority(server)
    target = case.target.replace(AUTHORITY, here)
    lines = [f"{case.method} {target} HTTP/1.1", f"Host: {case.header('Host') or here}"]
    lines.extend(f"{name}: {value}" for name, value in case.headers if name.lower() != "host")
    if case.content_type is not None:
        lines.append(f"Content-Type: {case.content_type}")
    if case.body or case.method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(case.body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + case.body


def exchange(case: Case, server: Server) -> Answer:
    """Send ``case`` down a socket, read the answer; the body goes from a thread, so a
    server answering before it has read a large body is still heard."""
    host, port = authority(server).split(":")
    data = raw_request(case, server)
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as sock:

        def send():
            # The server may answer and close before reading it all.
            with contextlib.suppress(OSError):
                sock.sendall(data)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        response = http.client.HTTPResponse(sock, method=case.method)
        try:
            response.begin()
            body = response.read()
        finally:
            sender.join(timeout=REQUEST_TIMEOUT)
        headers = [
            (name, value.replace(authority(server), AUTHORITY))
            for name, value in response.getheaders()
        ]
        return Answer(
            response.status, headers, body.replace(authority(server).encode(), AUTHORITY.encode())
        )


@dataclass
class Pair:
    kind: str
    style: str
    off: Server
    on: Server
    codes: set[object]
    results: dict[str, object] = field(default_factory=dict)


@pytest.fixture(
    scope="module",
    params=[(kind, style) for kind in COMMANDS for style in STYLES],
    ids=lambda param: "-".join(param),
)
def pair(request, seeded_db, tmp_path_factory):
    kind, style = request.param
    directory = tmp_path_factory.mktemp(f"hostile-{kind}-{style}")
    with debug_off_and_on(kind, style, seeded_db, directory) as (off, on):
        catalog = json.loads(exchange(Case("GET", "/api/errors/"), off).body)
        codes = {entry["code"] for entry in catalog["errors"]}
        yield Pair(kind, style, off, on, codes)


def without_window(case: Case) -> Case:
    if WINDOWED not in case.target:
        return case
    return replace(case, headers=tuple((n, v) for n, v in case.headers if "-key-123" not in v))


def check_side_by_side(pair: Pair, case: Case, findings: Findings) -> tuple[Answer, Answer] | None:
    """Send ``case`` to both servers; record what is wrong with either answer and where
    they differ. ``None`` when a server did not answer."""
    answers = []
    for name, server in (("off", pair.off), ("on", pair.on)):
        try:
            answer = exchange(case, server)
        except (OSError, http.client.HTTPException) as exc:
            findings.add("no answer", f"{type(exc).__name__} (DEBUG {name})", case, repr(exc))
            return None
        answers.append(answer)
        for kind, signature, detail in answer_findings(
            pair.style, case, answer, pair.codes, sent_correlation_id(case, over_the_wire=True)
        ):
            findings.add(kind, f"{signature} (DEBUG {name})", case, detail)
    off, on = answers
    if (off.status, normalized_body(off.body)) != (on.status, normalized_body(on.body)):
        findings.add(
            "debug status/body",
            f"{off.status} off, {on.status} on",
            case,
            f"off: {short(off.body)}\n         on:  {short(on.body)}",
        )
    signature, detail = header_differences(off, on, VOLATILE_HEADERS)
    if signature:
        findings.add("debug headers", signature, case, f"{off.status}: {detail}")
    return off, on


def generated(pair: Pair) -> Findings:
    if "generated" not in pair.results:
        findings = Findings()

        @HYPOTHESIS
        @given(case=cases(ROUTES, protocol_safe=True, absolute_form=AUTHORITY))
        def one(case: Case) -> None:
            check_side_by_side(pair, without_window(case), findings)

        one()
        pair.results["generated"] = findings
    return pair.results["generated"]


def report(findings: Findings, *kinds: str) -> str:
    lines = findings.of(*kinds)
    return f"{len(lines)} distinct finding(s):\n" + "\n".join(lines)


ANSWER_KINDS = ("no answer", "5xx", "not an envelope", "correlation")


def test_generated_requests_get_the_envelope_and_a_valid_correlation_id(pair):
    findings = generated(pair)
    assert not findings.of(*ANSWER_KINDS), report(findings, *ANSWER_KINDS)


def test_generated_requests_same_status_and_body_with_debug_on_and_off(pair):
    findings = generated(pair)
    assert not findings.of("debug status/body"), report(findings, "debug status/body")


def test_generated_requests_same_headers_with_debug_on_and_off(pair):
    findings = generated(pair)
    assert not findings.of("debug headers"), report(findings, "debug headers")


# --- fixed cases --------------------------------------------------------------------------

KEY = (("Authorization", f"Bearer {DEMO_KEY}"),)
CSRF_COOKIE = (("Cookie", "csrftoken=" + "a" * 32),)
FORGED = "/api/x%0a2026-12-01%2000:00:00,000%20ERROR%20[victim-1]%20api_errors:%20forged"
FORGED_LINE = "2026-12-01 00:00:00,000 ERROR [victim-1] api_errors: forged"


def json_case(body, *, headers=KEY):
    return Case("POST", "/api/drive/items/", headers, body.encode(), "application/json")


def fixed_cases(style):
    """``{name: (case, expected status, expected code, expected errors or None)}``."""
    parent_error = [{"field": "parent", "code": "invalid", "message": "Invalid value."}]
    if style == "problem":
        # RFC 9457's items: where in the request the member at fault is.
        parent_error[0].update(pointer="#/parent", location="body")
    fixed = {
        "deep-list-10k": (json_case("[" * 10_000), 400, MALFORMED[style], None),
        "deep-list-100k": (json_case("[" * 100_000), 400, MALFORMED[style], None),
        "deep-object-10k": (json_case('{"a":' * 10_000), 400, MALFORMED[style], None),
        "parent-1e999": (
            json_case('{"name": "a", "kind": "folder", "parent": 1e999}'),
            400,
            VALIDATION[style],
            parent_error,
        ),
        "parent--1e999": (
            json_case('{"name": "a", "kind": "folder", "parent": -1e999}'),
            400,
            VALIDATION[style],
            parent_error,
        ),
        "form-3mb-behind-csrf": (
            Case(
                "POST",
                "/api/errors/",
                CSRF_COOKIE,
                b"field=" + b"x" * (3 * 1024 * 1024),
                "application/x-www-form-urlencoded",
            ),
            413,
            MALFORMED[style],
            None,
        ),
        # //api/nowhere/: runserver (http.server) reduces leading slashes to one itself.
        "double-slash": (Case("GET", "//api/nowhere/"), 404, NOT_FOUND[style], None),
        "absolute-form": (
            Case("GET", f"http://{AUTHORITY}/api/nowhere/"),
            404,
            NOT_FOUND[style],
            None,
        ),
        "forged-log-line": (Case("GET", FORGED), 404, NOT_FOUND[style], None),
        "escape-in-path": (Case("GET", "/api/x%1b[31mred%1b[0m"), 404, NOT_FOUND[style], None),
        "valid-correlation-id": (
            Case("GET", "/api/nowhere/", (("X-Correlation-ID", "client-id:1.2_3-4"),)),
            404,
            NOT_FOUND[style],
            None,
        ),
        "long-correlation-id": (
            Case("GET", "/api/nowhere/", (("X-Correlation-ID", "x" * 65),)),
            404,
            NOT_FOUND[style],
            None,
        ),
    }
    return fixed


def body_code(style, answer):
    body = json.loads(answer.body)
    return body, body["code" if style == "problem" else "error_code"]


def fixed(pair: Pair) -> tuple[Findings, list[str]]:
    """Findings of the fixed cases, and what differs from their expected status and code."""
    if "fixed" not in pair.results:
        findings = Findings()
        unexpected = []
        for name, (case, status, code, errors) in fixed_cases(pair.style).items():
            answers = check_side_by_side(pair, case, findings)
            if answers is None:
                continue
            for debug, answer in zip(("off", "on"), answers, strict=True):
                got = (answer.status, None)
                try:
                    body, got_code = body_code(pair.style, answer)
                    got = (answer.status, got_code)
                except (ValueError, KeyError):
                    body = {}
                if got != (status, code) or (errors and body.get("errors") != errors):
                    unexpected.append(
                        f"{name} (DEBUG {debug}): expected {status} {code!r}, got {got}: "
                        f"{short(answer.body)}"
                    )
        pair.results["fixed"] = (findings, unexpected)
    return pair.results["fixed"]


def test_fixed_hostile_requests_get_their_documented_error(pair):
    findings, unexpected = fixed(pair)
    assert not unexpected, "\n".join(unexpected)
    assert not findings.of(*ANSWER_KINDS), report(findings, *ANSWER_KINDS)


def test_fixed_hostile_requests_same_status_and_body_with_debug_on_and_off(pair):
    findings, _unexpected = fixed(pair)
    assert not findings.of("debug status/body"), report(findings, "debug status/body")


def test_fixed_hostile_requests_same_headers_with_debug_on_and_off(pair):
    findings, _unexpected = fixed(pair)
    assert not findings.of("debug headers"), report(findings, "debug headers")


def test_no_forged_line_or_escape_in_the_server_logs(pair):
    fixed(pair)
    for server in (pair.off, pair.on):
        log = server.log()
        assert not any(line.startswith(FORGED_LINE) for line in log.splitlines()), log[-2000:]
        assert "\x1b" not in log
        assert "\\n2026-12-01 00:00:00,000 ERROR [victim-1] api_errors: forged" in log


# --- OPTIONS and HEAD on every route ------------------------------------------------------

METHOD_ROUTES = [
    "/api/errors/",
    "/api/examples/errors/{code}/",
    "/api/drive/items/",
    "/api/drive/items/1/",
    "/api/drive/items/2/download/",
    "/api/drive/items/3/download/",
    "/api/drive/imports/",
    "/api/search/?q=read",
    "/api/docs/errors/",
    "/api/schema/",
    "/api/schema/swagger/",
    "/api/schema/redoc/",
]


def test_options_and_head_on_every_route(pair):
    """OPTIONS: 200 with Allow, a 405 envelope with Allow, or (no key, on the drive) the 401
    envelope; HEAD: GET's status without a body; never a 5xx; DEBUG changes nothing."""
    findings = Findings()
    unexpected = []
    for template in METHOD_ROUTES:
        target = template.format(code=EXAMPLE_CODE[pair.style])
        for headers in ((), KEY):
            for method in ("OPTIONS", "HEAD"):
                # One HEAD with the key per server: the search's rate is not reached.
                case = Case(method, target, headers)
                answers = check_side_by_side(pair, case, findings)
                if answers is None:
                    continue
                for answer in answers:
                    allow = answer.header("Allow")
                    if method == "OPTIONS":
                        ok = (
                            (answer.status == 200 and allow)
                            or (answer.status == 405 and allow)
                            or (answer.status == 401 and not headers)
                        )
                    else:
                        ok = answer.body == b"" and answer.status < 500
                    if not ok:
                        unexpected.append(f"{case.describe()} -> {answer.status} Allow={allow!r}")
    kinds = (*ANSWER_KINDS, "debug status/body", "debug headers")
    assert not unexpected, "\n".join(unexpected)
    assert not findings.of(*kinds), report(findings, *kinds)
