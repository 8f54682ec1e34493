"""The schema of a DRF project as people really write one documents what its server sends.

``tests.realapp``: ModelViewSets on a DefaultRouter with per-action permissions, pagination,
django-filter, search and ordering, Basic and session authentication, actions with
``@raises`` in both orders around ``@action``, api_errors' ``rate_limit``, django-ratelimit
(on a method and through ``method_decorator(name=...)``), DRF's scoped throttle,
``@api_view`` functions with ``@raises`` above and below, and a hand-written 404.

Three layers: the exact statuses each operation documents, in each style; each status
produced in-process by a real request; schemathesis against the real server, per style
(``slow``, as the example's fuzzing).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from tests.example.support import REPO_ROOT, free_port, opener, stop, wait_until_up
from tests.realapp import settings as realapp_settings
from tests.realapp.seed import PASSWORD, seed

URLCONF = "tests.realapp.urls"
STYLES = ("status", "success", "problem")
REST_FRAMEWORK = realapp_settings.REST_FRAMEWORK
THROTTLE_RATES = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

# --- the schema ---------------------------------------------------------------------------


@contextmanager
def realapp_settings_for(style):
    """The server's DRF, password hashing and api_errors settings, in this process.

    DRF keeps ``DEFAULT_THROTTLE_RATES`` on its throttle class, read once when
    ``rest_framework.throttling`` is imported (here under ``tests.settings``): the server has
    its own settings' rates there, so the test process gets the same.
    """
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(
            REST_FRAMEWORK=REST_FRAMEWORK,
            PASSWORD_HASHERS=realapp_settings.PASSWORD_HASHERS,
            API_ERRORS={"STYLE": style},
        ),
    ):
        patch.setattr(SimpleRateThrottle, "THROTTLE_RATES", THROTTLE_RATES)
        yield


def generate(style):
    with realapp_settings_for(style):
        schema = SchemaGenerator(urlconf=URLCONF).get_schema(public=True)
    # Through JSON, as a client reads it (lazy strings become text).
    return json.loads(json.dumps(schema, default=str))


@pytest.fixture(scope="module")
def schemas():
    return {style: generate(style) for style in STYLES}


def documented(schema, method, path):
    """The statuses of an operation; for a method the path has none for, what all of its
    operations document (405 among them)."""
    item = schema["paths"][path]
    if method in item:
        return set(item[method]["responses"])
    return set.intersection(*(set(operation["responses"]) for operation in item.values()))


# Every operation: 404 for a ?format= no renderer has, 405, 406, and 500 the catch-all.
EVERY = {"404", "405", "406", "500"}
# Basic authentication first (a challenge): the anonymous get 401. IsAuthenticated alone
# then refuses no one, so 403 needs a permission that refuses the signed-in (IsOwner,
# IsAdminUser) or CSRF (session authentication on an unsafe method).
SIGNED_IN = {"401"}
REFUSED = {"403"}
# django-filter runs on every operation of the projects viewset, get_object() included.
FILTERED = {"400"}
# A request body: validation, parsing, media type, size.
BODY = {"400", "413", "415"}
DETAIL = "/api/projects/{id}/"
TASK = "/api/tasks/{id}/"
EXPECTED = {
    # Filters (owner, archived) can fail validation; page, search and ordering cannot.
    ("get", "/api/projects/"): {"200"} | FILTERED | SIGNED_IN | EVERY,
    ("post", "/api/projects/"): {"201"} | BODY | SIGNED_IN | REFUSED | EVERY,
    ("get", DETAIL): {"200"} | FILTERED | SIGNED_IN | EVERY,
    # get_permissions: IsOwner.
    ("put", DETAIL): {"200"} | BODY | SIGNED_IN | REFUSED | EVERY,
    ("patch", DETAIL): {"200"} | BODY | SIGNED_IN | REFUSED | EVERY,
    # get_permissions: IsAdminUser | IsOwner.
    ("delete", DETAIL): {"204"} | FILTERED | SIGNED_IN | REFUSED | EVERY,
    # @raises(Conflict) below @action; no request body: no 413, 415.
    ("post", DETAIL + "archive/"): {"200", "409"} | FILTERED | SIGNED_IN | REFUSED | EVERY,
    # @raises(Conflict) above @action.
    ("post", DETAIL + "unarchive/"): {"200", "409"} | FILTERED | SIGNED_IN | REFUSED | EVERY,
    # rate_limit: 429, and 503 when its counters cannot be reached (LIMITS_FAIL_OPEN unset).
    ("post", DETAIL + "publish/"): {"200", "409", "429", "503"}
    | FILTERED
    | SIGNED_IN
    | REFUSED
    | EVERY,
    # django-ratelimit through method_decorator on the action; 403 is CSRF's.
    ("post", DETAIL + "nudge/"): {"200", "429"} | FILTERED | SIGNED_IN | REFUSED | EVERY,
    # AllowAny, on the session-authenticated viewset: 403 is CSRF's alone.
    ("post", "/api/projects/check-name/"): {"200", "409"} | BODY | SIGNED_IN | REFUSED | EVERY,
    # The viewset without filters or session authentication: its list's one query
    # parameter is page, so no 400, and IsAuthenticated alone never answers 403.
    ("get", "/api/tasks/"): {"200"} | SIGNED_IN | EVERY,
    ("post", "/api/tasks/"): {"201"} | BODY | SIGNED_IN | EVERY,
    ("get", TASK): {"200"} | SIGNED_IN | EVERY,
    ("put", TASK): {"200"} | BODY | SIGNED_IN | EVERY,
    ("patch", TASK): {"200"} | BODY | SIGNED_IN | EVERY,
    ("delete", TASK): {"204"} | SIGNED_IN | EVERY,
    # django-ratelimit through method_decorator(name="complete") on the class; @raises.
    ("post", TASK + "complete/"): {"200", "409", "429"} | SIGNED_IN | EVERY,
    # @raises above @api_view.
    ("get", DETAIL + "summary/"): {"200", "409"} | SIGNED_IN | EVERY,
    # @raises below @api_view; AllowAny with session authentication: 403 is CSRF's.
    ("post", "/api/feedback/"): {"201", "409"} | BODY | SIGNED_IN | REFUSED | EVERY,
    # The author's own 200 and 404.
    ("get", "/api/mine/{id}/"): {"200"} | SIGNED_IN | EVERY,
    # ScopedRateThrottle with a rate for its scope.
    ("get", "/api/exports/projects/"): {"200", "429"} | SIGNED_IN | EVERY,
}


@pytest.mark.parametrize("style", STYLES)
def test_each_operation_documents_exactly_the_statuses_it_can_send(schemas, style):
    schema = schemas[style]
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations == set(EXPECTED)
    mismatches = {
        f"{method.upper()} {path}": {
            "missing": sorted(expected - documented(schema, method, path)),
            "extra": sorted(documented(schema, method, path) - expected),
        }
        for (method, path), expected in EXPECTED.items()
        if documented(schema, method, path) != expected
    }
    assert not mismatches


def error_codes(response):
    (media,) = response["content"].values()
    properties = media["schema"]["properties"]
    return properties.get("code", properties.get("error_code"))["enum"]


@pytest.mark.parametrize("style", STYLES)
def test_403_on_the_open_unsafe_operations_is_csrf_only(schemas, style):
    """AllowAny: no permission refuses; session authentication's CSRF check does."""
    schema = schemas[style]
    for path in ("/api/projects/check-name/", "/api/feedback/"):
        assert "403" in documented(schema, "post", path)
        assert error_codes(schema["paths"][path]["post"]["responses"]["403"]) == error_codes(
            schema["paths"][DETAIL]["delete"]["responses"]["403"]
        )


@pytest.mark.parametrize("style", STYLES)
def test_the_authors_404_keeps_its_words_and_gets_the_envelope(schemas, style):
    schema = schemas[style]
    mine = schema["paths"]["/api/mine/{id}/"]["get"]["responses"]["404"]
    retrieve = schema["paths"][DETAIL]["get"]["responses"]["404"]
    assert mine["description"] == "No such project, or not yours."
    assert set(mine["content"]) == set(retrieve["content"])
    for media_type, media in mine["content"].items():
        assert media["schema"] == retrieve["content"][media_type]["schema"]
        assert media["example"]
    assert "X-Correlation-ID" in mine["headers"]


# --- every documented error, produced -----------------------------------------------------


def basic(username, password=PASSWORD):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ALICE, BOB = basic("alice"), basic("bob")
WRONG_PASSWORD = basic("alice", "wrong")
NEW = 4  # the id of the first project created
# (method, URL, headers, JSON body or None, status), in order: the conflicts and limits
# depend on what came before.
SCENARIOS = [
    ("get", "/api/projects/", ALICE, None, 200),
    ("get", "/api/projects/", {}, None, 401),
    ("get", "/api/projects/", WRONG_PASSWORD, None, 401),
    ("get", "/api/projects/?owner=nobody", ALICE, None, 400),
    ("get", "/api/projects/?archived=true&search=site&ordering=-name", ALICE, None, 200),
    ("get", "/api/projects/?ordering=nonsense", ALICE, None, 200),
    ("get", "/api/projects/?page=9", ALICE, None, 404),
    ("get", "/api/projects/?format=xml", ALICE, None, 404),
    ("get", "/api/projects/", {**ALICE, "Accept": "text/csv"}, None, 406),
    ("post", "/api/projects/", ALICE, {"name": "New"}, 201),
    ("post", "/api/projects/", ALICE, {"name": "New"}, 400),
    ("post", "/api/projects/", ALICE, {"name": "x" * 2000}, 413),
    ("post", "/api/projects/", ALICE, "not json", 400),
    ("post", "/api/projects/", ALICE, ("name=x", "text/plain"), 415),
    ("get", "/api/projects/3/", ALICE, None, 200),
    ("get", "/api/projects/99/", ALICE, None, 404),
    ("patch", "/api/projects/3/", ALICE, {"name": "Mine now"}, 403),
    ("patch", "/api/projects/1/", ALICE, {"name": "Web site"}, 200),
    ("put", "/api/projects/1/", ALICE, {"name": ""}, 400),
    ("delete", "/api/projects/3/", ALICE, None, 403),
    ("delete", f"/api/projects/{NEW}/", ALICE, None, 204),
    ("post", "/api/projects/1/archive/", ALICE, None, 200),
    ("post", "/api/projects/1/archive/", ALICE, None, 409),
    ("post", "/api/projects/3/archive/", ALICE, None, 403),
    ("get", "/api/projects/1/archive/", ALICE, None, 405),
    ("post", "/api/projects/1/unarchive/", ALICE, None, 200),
    ("post", "/api/projects/1/unarchive/", ALICE, None, 409),
    ("post", "/api/projects/2/publish/", ALICE, None, 409),
    ("post", "/api/projects/1/publish/", ALICE, None, 200),
    ("post", "/api/projects/1/publish/", ALICE, None, 429),
    ("post", "/api/projects/1/nudge/", ALICE, None, 200),
    ("post", "/api/projects/99/nudge/", ALICE, None, 404),
    ("post", "/api/projects/1/nudge/", ALICE, None, 429),
    ("post", "/api/projects/check-name/", {}, {"name": "Launch"}, 409),
    ("post", "/api/projects/check-name/", {}, {"name": "Free"}, 200),
    ("post", "/api/projects/check-name/", {}, {}, 400),
    ("get", "/api/tasks/", ALICE, None, 200),
    ("get", "/api/tasks/?page=9", ALICE, None, 404),
    ("post", "/api/tasks/", ALICE, {"project": 99, "title": "t"}, 400),
    ("post", "/api/tasks/2/complete/", ALICE, None, 409),
    ("post", "/api/tasks/1/complete/", ALICE, None, 200),
    ("post", "/api/tasks/1/complete/", ALICE, None, 429),
    ("delete", "/api/tasks/3/", BOB, None, 204),
    ("get", "/api/projects/1/summary/", ALICE, None, 200),
    ("get", "/api/projects/2/summary/", ALICE, None, 409),
    ("get", "/api/projects/99/summary/", ALICE, None, 404),
    ("get", "/api/projects/1/summary/", {}, None, 401),
    ("post", "/api/feedback/", {}, {"message": "Nice"}, 201),
    ("post", "/api/feedback/", {}, {"message": "Nice"}, 409),
    ("post", "/api/feedback/", WRONG_PASSWORD, {"message": "Hi"}, 401),
    ("post", "/api/feedback/", {}, {}, 400),
    ("get", "/api/mine/3/", ALICE, None, 404),
    ("get", "/api/mine/1/", ALICE, None, 200),
    ("get", "/api/exports/projects/", ALICE, None, 200),
    ("get", "/api/exports/projects/", ALICE, None, 200),
    ("get", "/api/exports/projects/", ALICE, None, 429),
]
# Session authentication's CSRF check on unsafe methods: signed in, no token.
CSRF_SCENARIOS = [
    ("post", "/api/projects/", {"name": "Via the browser"}),
    ("post", "/api/projects/1/archive/", None),
    ("post", "/api/projects/check-name/", {"name": "Free"}),
    ("post", "/api/feedback/", {"message": "From the browser"}),
]


def schema_path(schema, url):
    """The schema's path for ``url``: a literal path first, then a templated one."""
    raw_path = url.partition("?")[0]
    for path in sorted(schema["paths"], key=lambda path: (path.count("{"), path)):
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        if re.fullmatch(pattern, raw_path):
            return path
    return None


def send(client, method, url, headers, body):
    """``body``: JSON, raw text sent as JSON, or ``(text, content type)``."""
    if body is None:
        return getattr(client, method)(url, headers=headers)
    data, content_type = body if isinstance(body, tuple) else (body, "application/json")
    if not isinstance(data, str):
        data = json.dumps(data)
    return getattr(client, method)(url, data, content_type=content_type, headers=headers)


@pytest.fixture
def realapp_db(db):
    with override_settings(PASSWORD_HASHERS=realapp_settings.PASSWORD_HASHERS):
        seed()
    cache.clear()
    yield
    cache.clear()


@pytest.mark.urls(URLCONF)
@pytest.mark.parametrize("style", STYLES)
def test_every_error_the_app_sends_is_documented(schemas, realapp_db, style):
    schema = schemas[style]
    client = Client(raise_request_exception=False)
    seen = []
    with realapp_settings_for(style):
        for method, url, headers, body, expected in SCENARIOS:
            response = send(client, method, url, headers, body)
            seen.append((method.upper(), url, response.status_code, expected))
            path = schema_path(schema, url)
            assert str(response.status_code) in documented(schema, method, path), seen[-1]
    assert [row for row in seen if row[2] != row[3]] == []
    # Each status the schema documents somewhere was produced, but 500 (a bug) and 503
    # (rate_limit's counters unreachable).
    everywhere = {
        status for method, path in EXPECTED for status in documented(schema, method, path)
    }
    assert {str(row[2]) for row in seen} == everywhere - {"500", "503"}


@pytest.mark.urls(URLCONF)
@pytest.mark.parametrize("style", STYLES)
def test_csrf_refusals_of_the_session_authenticated_views_are_documented(
    schemas, realapp_db, style, django_user_model
):
    schema = schemas[style]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(django_user_model.objects.get(username="alice"))
    with realapp_settings_for(style):
        for method, url, body in CSRF_SCENARIOS:
            response = send(client, method, url, {}, body)
            assert response.status_code == 403, (url, response.content)
            assert "403" in documented(schema, method, schema_path(schema, url))


@pytest.mark.urls(URLCONF)
@pytest.mark.parametrize("style", STYLES)
def test_filters_on_detail_operations_are_documented(schemas, realapp_db, style):
    """DRF's get_object() filters the queryset with the view's filter backends, so
    django-filter validates ``?owner=`` on every detail operation of a filtered viewset
    too, though drf-spectacular lists the filters on the list alone."""
    schema = schemas[style]
    client = Client(raise_request_exception=False)
    sent = {}
    with realapp_settings_for(style):
        for method, url in [
            ("get", "/api/projects/1/?owner=nobody"),
            ("delete", "/api/projects/1/?owner=nobody"),
            ("post", "/api/projects/1/archive/?owner=nobody"),
        ]:
            path = schema_path(schema, url)
            response = send(client, method, url, ALICE, None)
            sent[f"{method.upper()} {path}"] = (
                response.status_code,
                str(response.status_code) in documented(schema, method, path),
            )
    assert sent == dict.fromkeys(sent, (400, True))


# --- schemathesis against the real server (slow: a server per style) ----------------------

CONFIG = Path(__file__).parent / "realapp" / "schemathesis.toml"
MAX_EXAMPLES = 5
SEED = 20261201
RUN_TIMEOUT = 40
# runserver's access log: "GET /api/projects/?page=2 HTTP/1.1" 404 94
ACCESS_LINE = re.compile(r'"([A-Z]+) (/[^ ?"]*)(?:\?[^ "]*)? HTTP/1\.[01]" (\d{3}) ')


def server_env(style, db_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COV_CORE_", "SCHEMATHESIS_", "API_ERRORS_"))
        and not name.lower().endswith("_proxy")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.realapp.settings",
        REALAPP_DB_PATH=str(db_path),
        API_ERRORS_STYLE=style,
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


def run(args, env, timeout=60, cwd=REPO_ROOT):
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    """One migrated and seeded SQLite file, copied for each server."""
    db_path = tmp_path_factory.mktemp("realapp") / "db.sqlite3"
    env = server_env("status", db_path)
    for args in (
        ["-m", "django", "migrate", "--noinput"],
        ["-m", "django", "shell", "-c", "from tests.realapp.seed import seed; seed()"],
    ):
        result = run(args, env)
        assert result.returncode == 0, result.stdout + result.stderr
    return db_path.read_bytes()


@pytest.fixture(scope="module", params=STYLES)
def server(request, seeded_db, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"realapp-{request.param}")
    db_path = directory / "db.sqlite3"
    db_path.write_bytes(seeded_db)
    log_path = directory / "server.log"
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.realapp.serve", str(port)],
            cwd=REPO_ROOT,
            env=server_env(request.param, db_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, f"{base}/api/schema/?format=json")
        yield request.param, base, log_path
    finally:
        stop(process)


@pytest.mark.slow
def test_schemathesis_finds_every_status_documented(server, tmp_path, schemas):
    style, base, log_path = server
    with opener.open(f"{base}/api/schema/?format=json", timeout=5) as response:
        served_schema = json.loads(response.read())
    # The schema the in-process tests read is the one the server serves.
    assert served_schema == schemas[style]

    command = [
        *("-m", "schemathesis.cli", "--config-file", str(CONFIG), "run"),
        f"{base}/api/schema/?format=json",
        *("--checks", "status_code_conformance"),
        *("--auth", f"alice:{PASSWORD}"),
        *("--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED)),
        *("--request-timeout", "5", "--workers", "1"),
        *("--generation-database", "none", "--no-color"),
    ]
    try:
        # In tmp_path: schemathesis keeps a .schemathesis/ folder where it runs.
        result = run(command, server_env(style, ""), timeout=RUN_TIMEOUT, cwd=tmp_path)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"schemathesis ran over {RUN_TIMEOUT}s:\n{exc.stdout}\n{exc.stderr}")
    log = log_path.read_text()
    report = f"{result.stdout}\n{result.stderr}\nserver log (last lines):\n{log[-6000:]}"
    assert result.returncode == 0, report
    assert f"{len(EXPECTED)} selected / {len(EXPECTED)} total" in result.stdout, report

    # What the server sent on a documented operation, whatever schemathesis checked.
    served = Counter()
    undocumented = set()
    for method, raw_path, status in ACCESS_LINE.findall(log):
        path = schema_path(served_schema, raw_path)
        if path is None or method.lower() not in served_schema["paths"][path]:
            continue  # not an operation of the schema (a method it does not list, a probe)
        served[path, method, status] += 1
        if status not in documented(served_schema, method.lower(), path):
            undocumented.add((method, path, status))
    assert undocumented == set(), report
    statuses = {status for (_, _, status) in served}
    assert not {status for status in statuses if status.startswith("5")}, report
    # The fuzzer got past authentication to the conflicts and limits.
    assert {"200", "400", "404", "409", "429"} <= statuses, sorted(served.items())
