"""The example project: its drive API in every style, and the real server end to end."""

from __future__ import annotations

import io
import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from example_project.drive.management.commands.seed_demo import (
    DEMO_KEY,
    DISABLED_KEY,
    EXPIRED_KEY,
    README_CONTENT,
)
from example_project.drive.models import ApiKey, ConnectorLink, DriveItem

REPO_ROOT = Path(__file__).resolve().parent.parent
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
}
EXPECTED = {"status": STATUS_STYLE, "success": SUCCESS_STYLE, "problem": SUCCESS_STYLE}

pytestmark = pytest.mark.urls("example_project.urls")


# --- helpers -------------------------------------------------------------------------------


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
    assert set(body) - {"errors"} == PROBLEM_KEYS
    assert body["status"] == status
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


@pytest.fixture(params=STYLES)
def style(request):
    with override_settings(API_ERRORS={"STYLE": request.param}):
        yield request.param


@pytest.fixture
def expected(style):
    return EXPECTED[style]


@pytest.fixture
def items(db):
    call_command("seed_demo", stdout=io.StringIO())
    return {item.name: item for item in DriveItem.objects.all()}


@pytest.fixture
def api(client, items):
    """``api.get(path)`` / ``api.post(path, data)`` with the demo key."""

    class Api:
        def get(self, path, **kwargs):
            return client.get(path, headers=bearer(DEMO_KEY), **kwargs)

        def post(self, path, data):
            return client.post(
                path, data, content_type="application/json", headers=bearer(DEMO_KEY)
            )

    return Api()


# --- authentication ------------------------------------------------------------------------


def test_missing_key_is_401_with_challenge(client, items, style, expected):
    response = client.get("/api/drive/items/")
    assert error_of(response, style) == expected["no_key"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    ("scenario", "key"),
    [
        ("unknown_key", "no-such-key"),
        ("expired_key", EXPIRED_KEY),
        ("disabled_key", DISABLED_KEY),
    ],
)
def test_rejected_keys_are_401(client, items, style, expected, scenario, key):
    response = client.get("/api/drive/items/", headers=bearer(key))
    assert error_of(response, style) == expected[scenario]
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="api"')


def test_other_authorization_schemes_are_not_authenticated(client, items, style, expected):
    response = client.get("/api/drive/items/", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert error_of(response, style) == expected["no_key"]


# --- drive items ---------------------------------------------------------------------------


def test_list_root_and_folder(api, items, style):
    root = data_of(api.get("/api/drive/items/"), style)
    assert [item["name"] for item in root] == ["Documents"]
    folder = items["Documents"].pk
    children = data_of(api.get(f"/api/drive/items/?parent={folder}"), style)
    assert [item["name"] for item in children] == ["readme.txt", "video.mp4"]


def test_list_of_unknown_folder_is_404(api, style, expected):
    response = api.get("/api/drive/items/?parent=999999")
    assert error_of(response, style) == expected["unknown_item"]


def test_create_returns_201_with_the_new_item(api, items, style):
    folder = items["Documents"].pk
    response = api.post(
        "/api/drive/items/", {"name": "notes.txt", "kind": "file", "parent": folder}
    )
    assert response.status_code == 201
    created = data_of(response, style)
    assert created["name"] == "notes.txt"
    assert created["parent"] == folder
    assert created["state"] == "ready"
    assert DriveItem.objects.filter(pk=created["id"], parent_id=folder).exists()


@pytest.mark.parametrize(
    ("name", "in_folder"), [("Documents", False), ("readme.txt", True)], ids=["root", "folder"]
)
def test_same_name_in_the_same_folder_is_a_conflict(api, items, style, expected, name, in_folder):
    parent = items["Documents"].pk if in_folder else None
    response = api.post("/api/drive/items/", {"name": name, "kind": "folder", "parent": parent})
    assert error_of(response, style) == expected["duplicate_name"]
    assert DriveItem.objects.filter(name=name).count() == 1


def test_same_name_in_another_folder_is_fine(api, style):
    response = api.post("/api/drive/items/", {"name": "readme.txt", "kind": "file"})
    assert response.status_code == 201


def test_invalid_item_is_a_validation_error_with_field_details(api, style, expected):
    response = api.post("/api/drive/items/", {"name": "", "kind": "blob"})
    assert error_of(response, style) == expected["invalid_item"]
    assert {error["field"] for error in response.json()["errors"]} == {"name", "kind"}


@pytest.mark.parametrize("name", ["a/b", "..", "line\nbreak"])
def test_unsafe_names_are_invalid(api, style, expected, name):
    response = api.post("/api/drive/items/", {"name": name, "kind": "file"})
    assert error_of(response, style) == expected["invalid_item"]
    assert [error["field"] for error in response.json()["errors"]] == ["name"]


def test_a_file_cannot_be_a_parent(api, items, style, expected):
    parent = items["readme.txt"].pk
    response = api.post("/api/drive/items/", {"name": "x", "kind": "file", "parent": parent})
    assert error_of(response, style) == expected["invalid_item"]
    assert [error["field"] for error in response.json()["errors"]] == ["parent"]


def test_get_item(api, items, style):
    item = items["readme.txt"]
    assert data_of(api.get(f"/api/drive/items/{item.pk}/"), style)["name"] == "readme.txt"


def test_unknown_item_is_404(api, style, expected):
    response = api.get("/api/drive/items/999999/")
    assert error_of(response, style) == expected["unknown_item"]


def test_download_ready_file(api, items, style):
    response = api.get(f"/api/drive/items/{items['readme.txt'].pk}/download/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Content-Disposition"] == 'attachment; filename="readme.txt"'
    assert response.content.decode() == README_CONTENT


def test_download_folder_is_not_supported(api, items, style, expected):
    response = api.get(f"/api/drive/items/{items['Documents'].pk}/download/")
    assert error_of(response, style) == expected["download_folder"]


def test_download_processing_file_is_not_ready(api, items, style, expected):
    response = api.get(f"/api/drive/items/{items['video.mp4'].pk}/download/")
    assert error_of(response, style) == expected["download_processing"]
    assert response.headers["Retry-After"] == "5"


# --- imports and search --------------------------------------------------------------------


def test_import_from_linked_connector_is_queued(api, style):
    response = api.post("/api/drive/imports/", {"connector": "wps"})
    assert response.status_code == 202
    assert data_of(response, style) == {"connector": "wps", "state": "queued"}


def test_import_from_unlinked_connector(api, style, expected):
    response = api.post("/api/drive/imports/", {"connector": "lark"})
    assert error_of(response, style) == expected["unlinked_connector"]


def test_search_results(api, style):
    data = data_of(api.get("/api/search/", data={"q": "read"}), style)
    assert [result["name"] for result in data["results"]] == ["readme.txt"]


def test_search_without_query_is_invalid(api, style, expected):
    response = api.get("/api/search/")
    assert error_of(response, style) == expected["search_without_query"]
    assert response.json()["errors"][0]["field"] == "q"


def test_search_upstream_failure_hides_the_cause(api, style, expected):
    response = api.get("/api/search/", data={"q": "fail"})
    assert error_of(response, style) == expected["search_failure"]
    text = response.content.decode()
    for leak in ("search.internal", "refused", "ConnectionError", "SearchFailed", "Traceback"):
        assert leak not in text


# --- the rest of the project ---------------------------------------------------------------


def test_unknown_api_path_is_an_envelope_404(client, db, style, expected):
    response = client.get("/api/nowhere/")
    assert error_of(response, style) == expected["unknown_item"]


def test_pages_off_the_api_keep_djangos_404(client, db):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_seed_demo_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    DriveItem.objects.filter(name="video.mp4").update(state=DriveItem.State.READY)
    call_command("seed_demo", stdout=out)
    assert f"Demo API key: {DEMO_KEY}" in out.getvalue()
    assert ApiKey.objects.count() == 3
    assert list(ConnectorLink.objects.values_list("api_key__key", "connector")) == [
        (DEMO_KEY, "wps")
    ]
    assert DriveItem.objects.count() == 3
    assert DriveItem.objects.get(name="video.mp4").state == DriveItem.State.PROCESSING


def test_migrations_are_up_to_date(db):
    call_command("makemigrations", "drive", check=True, dry_run=True, stdout=io.StringIO())


def test_settings_follow_the_environment(monkeypatch, tmp_path):
    path = REPO_ROOT / "example_project" / "settings.py"
    for name in ("API_ERRORS_STYLE", "API_ERRORS_CATALOG", "EXAMPLE_DB_PATH", "DJANGO_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    defaults = runpy.run_path(str(path))
    assert defaults["API_ERRORS"] == {"STYLE": "status"}
    assert defaults["DEBUG"] is False
    assert defaults["DATABASES"]["default"]["NAME"] == path.parent / "db.sqlite3"

    monkeypatch.setenv("API_ERRORS_STYLE", "problem")
    monkeypatch.setenv("API_ERRORS_CATALOG", "platform")
    monkeypatch.setenv("EXAMPLE_DB_PATH", str(tmp_path / "x.sqlite3"))
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    custom = runpy.run_path(str(path))
    assert custom["API_ERRORS"] == {"STYLE": "problem", "CATALOG": "platform"}
    assert custom["DEBUG"] is True
    assert custom["DATABASES"]["default"]["NAME"] == str(tmp_path / "x.sqlite3")
    assert custom["MIDDLEWARE"][0] == "api_errors.middleware.ApiErrorsMiddleware"


# --- the real server -----------------------------------------------------------------------

SERVER_START_TIMEOUT = 20
# Straight to 127.0.0.1, whatever proxy the environment names.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def example_env(style, db_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    for name in ("API_ERRORS_CATALOG", "DJANGO_DEBUG"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="example_project.settings",
        API_ERRORS_STYLE=style,
        EXAMPLE_DB_PATH=str(db_path),
        PYTHONUNBUFFERED="1",
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


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    """One migrated and seeded database, copied for each server."""
    db_path = tmp_path_factory.mktemp("example") / "db.sqlite3"
    env = example_env("status", db_path)
    for args in (["migrate", "--noinput"], ["seed_demo"]):
        result = manage(*args, env=env)
        assert result.returncode == 0, result.stderr
    return db_path


@pytest.mark.parametrize("server_style", STYLES)
def test_example_settings_pass_the_system_checks(server_style, tmp_path):
    result = manage("check", "--fail-level", "WARNING", env=example_env(server_style, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("server_style", STYLES)
def test_real_server_answers_every_catalog_error(server_style, seeded_db, tmp_path):
    db_path = tmp_path / "db.sqlite3"
    shutil.copy(seeded_db, db_path)
    log_path = tmp_path / "server.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=REPO_ROOT,
            env=example_env(server_style, db_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        status, _headers, catalog = wait_until_up(server, f"{base}/api/errors/")
        assert status == 200
        entries = catalog["errors"]
        codes = {entry["code"] for entry in entries}
        assert all(isinstance(code, int if server_style == "status" else str) for code in codes)

        for entry in entries:
            correlation_id = f"e2e-{server_style}-{entry['code']}"
            status, headers, body = fetch(
                f"{base}/api/examples/errors/{entry['code']}/",
                {"X-Correlation-ID": correlation_id},
            )
            assert status == entry["http_status"], entry
            assert envelope_error(server_style, status, headers, body) == entry["code"]
            assert headers["X-Correlation-ID"] == correlation_id
            if status in (429, 503):
                assert int(headers["Retry-After"]) > 0

        status, headers, body = fetch(f"{base}/api/drive/items/")
        assert status == 401
        assert envelope_error(server_style, status, headers, body) == (
            67200003 if server_style == "status" else "ACCESS_DENIED"
        )
        assert len(headers["X-Correlation-ID"]) == 36  # a generated UUID

        status, headers, body = fetch(f"{base}/api/drive/items/", bearer(DEMO_KEY))
        assert status == 200
        assert headers["X-Correlation-ID"]
        names = [item["name"] for item in (body if server_style == "problem" else body["data"])]
        assert names == ["Documents"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    log = log_path.read_text()
    last = entries[-1]["code"]
    assert f"[e2e-{server_style}-{last}] api_errors: " in log
    assert f"error_code={last}" in log
