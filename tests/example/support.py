"""What the example project's tests share: expected errors, envelope readers, real servers."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STYLES = ("status", "success", "problem")
STATUS_KEYS = {"status", "error_code", "error_message"}
SUCCESS_KEYS = {"success", "message", "error_code"}
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}

# (HTTP status, error code) of each scenario; the problem style uses the drive catalog too.
STATUS_STYLE = {
    "no_key": (401, 67200003),
    "unknown_key": (401, 67200003),
    "expired_key": (401, 67200006),
    "disabled_key": (401, 67200003),
    "duplicate_name": (409, 68300007),
    "invalid_item": (400, 68300004),
    "unknown_item": (404, 68300007),
    "download_folder": (400, 68300007),
    "download_processing": (409, 68300007),
    "unlinked_connector": (403, 67200004),
    "search_failure": (502, 68300005),
    "search_without_query": (400, 68300004),
    "rate_limited": (429, 67200007),
    "quota_exceeded": (403, 67200002),
    "insufficient_balance": (402, 67200005),
}
SUCCESS_STYLE = {
    "no_key": (401, "ACCESS_DENIED"),
    "unknown_key": (401, "ACCESS_DENIED"),
    "expired_key": (401, "ACCESS_DENIED"),
    "disabled_key": (401, "ACCESS_DENIED"),
    "duplicate_name": (409, "DRIVE_ITEM_CONFLICT"),
    "invalid_item": (400, "INVALID_ARGUMENT"),
    "unknown_item": (404, "NOT_FOUND"),
    "download_folder": (400, "DOWNLOAD_NOT_SUPPORTED"),
    "download_processing": (409, "STATE_NOT_READY"),
    "unlinked_connector": (403, "CONNECTOR_NOT_LINKED"),
    "search_failure": (502, "INTERNAL_ERROR"),
    "search_without_query": (400, "INVALID_ARGUMENT"),
    # The drive document has one code for every limit; the status tells them apart.
    "rate_limited": (429, "QUOTA_EXCEEDED"),
    "quota_exceeded": (402, "QUOTA_EXCEEDED"),
    "insufficient_balance": (402, "QUOTA_EXCEEDED"),
}
EXPECTED = {"status": STATUS_STYLE, "success": SUCCESS_STYLE, "problem": SUCCESS_STYLE}
# What the example's settings add to API_ERRORS besides the style.
EXAMPLE_API_ERRORS = {
    "RATE_LIMIT_HEADERS_ON_SUCCESS": True,
    "BALANCE_HOOK": "example_project.drive.billing.ApiKeyBalance",
    "LIMITS_REMEMBER_REFUSALS": True,
}
SEARCH_POLICY = '"search";q=5;w=10'
DOWNLOADS_POLICY = '"downloads";q=2;qu="concurrent-requests"'
# What the example's settings read from the environment.
EXAMPLE_ENVIRONMENT = (
    "API_ERRORS_STYLE",
    "API_ERRORS_CATALOG",
    "EXAMPLE_DB_PATH",
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "EXAMPLE_SEARCH_URL",
    "EXAMPLE_CELERY_BROKER_URL",
    "EXAMPLE_CELERY_QUEUE",
    "SENTRY_DSN",
    "EXAMPLE_OTEL_SPANS_FILE",
    "EXAMPLE_CORRELATION_ID_FROM_TRACE",
)
SETTINGS_PATH = REPO_ROOT / "example_project" / "settings.py"
LIMIT_PROBLEM_TYPES = (
    "https://iana.org/assignments/http-problem-types#quota-exceeded",
    "https://iana.org/assignments/http-problem-types#temporary-reduced-capacity",
)


# --- envelopes ----------------------------------------------------------------------------


def envelope_error(style, status, headers, body):
    """The error code of an error body, after checking the body has exactly the style's shape."""
    content_type = headers.get("Content-Type", "")
    if style == "status":
        assert content_type == "application/json"
        assert set(body) - {"errors"} == STATUS_KEYS
        assert body["status"] is False
        assert isinstance(body["error_message"], str)
        return body["error_code"]
    if style == "success":
        assert content_type == "application/json"
        assert set(body) - {"errors"} == SUCCESS_KEYS
        assert body["success"] is False
        assert isinstance(body["message"], str)
        return body["error_code"]
    assert content_type == "application/problem+json"
    assert set(body) - {"errors", "violated-policies"} == PROBLEM_KEYS
    assert body["status"] == status
    if "violated-policies" in body:
        # A limit's refusal, or its store down: the ratelimit-headers draft's problem types.
        assert body["type"] in LIMIT_PROBLEM_TYPES
        assert body["violated-policies"]
        assert all(isinstance(name, str) for name in body["violated-policies"])
    return body["code"]


def error_of(response, style):
    """``(status, code)`` of a test-client response, which must carry a correlation id."""
    assert response.headers.get("X-Correlation-ID")
    body = json.loads(response.content)
    return response.status_code, envelope_error(style, response.status_code, response, body)


def data_of(response, style):
    """The payload of a successful response, after checking the style's success envelope."""
    body = response.json()
    if style == "status":
        assert set(body) == {"status", "error_code", "data"}
        assert body["status"] is True
        assert body["error_code"] == 0
        return body["data"]
    if style == "success":
        assert set(body) == {"success", "data"}
        assert body["success"] is True
        return body["data"]
    return body


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


FIELD_ITEM = re.compile(r'"(?P<name>[^"]+)"(?P<params>(?:;[a-z]+=(?:\d+|"[^"]*"))*)')
FIELD_PARAM = re.compile(r';(?P<name>[a-z]+)=(?:(?P<number>\d+)|"(?P<text>[^"]*)")')


def rate_limit_fields(value):
    """``{"search": {"r": 4, "t": 7}, ...}`` from a ``RateLimit`` or ``RateLimit-Policy`` field
    (a string parameter, ``qu="concurrent-requests"``, as a string)."""
    fields = {}
    for item in FIELD_ITEM.finditer(value):
        fields[item["name"]] = {
            param["name"]: int(param["number"]) if param["number"] else param["text"]
            for param in FIELD_PARAM.finditer(item["params"])
        }
    return fields


# --- real servers -------------------------------------------------------------------------

SERVER_START_TIMEOUT = 20
# Straight to 127.0.0.1, whatever proxy the environment names.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def example_env(style, db_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    for name in EXAMPLE_ENVIRONMENT:
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="example_project.settings",
        API_ERRORS_STYLE=style,
        EXAMPLE_DB_PATH=str(db_path),
        PYTHONUNBUFFERED="1",
        **{name: value for name, value in extra.items() if value},
    )
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    """``(status, headers, parsed JSON body)``, error statuses included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read())


def wait_until_up(server, url):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the example server exited with {server.returncode}")
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f"the example server did not answer within {SERVER_START_TIMEOUT}s")


def stop(process):
    """Terminate, then kill if it does not exit within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def runserver(port):
    return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log_path: Path

    def log(self):
        return self.log_path.read_text()


@contextmanager
def example_server(
    style, db_path, log_path, *, command: Callable[[int], list[str]] = runserver, **env
) -> Iterator[Server]:
    """The example served on a free loopback port by ``command(port)`` (runserver by default),
    output to ``log_path``; yielded once ``/api/errors/`` answers, stopped however the test ends."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command(port),
            cwd=REPO_ROOT,
            env=example_env(style, db_path, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        server = Server(f"http://127.0.0.1:{port}", process, log_path)
        wait_until_up(process, f"{server.base}/api/errors/")
        yield server
    finally:
        stop(process)


def copy_db(seeded_db, directory):
    """A server's own copy of the seeded database."""
    db_path = directory / "db.sqlite3"
    shutil.copy(seeded_db, db_path)
    return db_path
