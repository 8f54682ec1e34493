"""The example's drive API in every style, in process: keys, items, downloads, imports, search."""

from __future__ import annotations

import pytest

from example_project.drive.management.commands.seed_demo import (
    DISABLED_KEY,
    EXPIRED_KEY,
    README_CONTENT,
)
from example_project.drive.models import DriveItem
from tests.example.support import bearer, data_of, error_of

pytestmark = pytest.mark.urls("example_project.urls")


# --- authentication -----------------------------------------------------------------------


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


# --- drive items --------------------------------------------------------------------------


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
    content = b"".join(response.streaming_content)
    assert content.decode() == README_CONTENT
    assert response.headers["Content-Length"] == str(len(content))


def test_download_folder_is_not_supported(api, items, style, expected):
    response = api.get(f"/api/drive/items/{items['Documents'].pk}/download/")
    assert error_of(response, style) == expected["download_folder"]


def test_download_processing_file_is_not_ready(api, items, style, expected):
    response = api.get(f"/api/drive/items/{items['video.mp4'].pk}/download/")
    assert error_of(response, style) == expected["download_processing"]
    assert response.headers["Retry-After"] == "5"


# --- imports and search -------------------------------------------------------------------


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


# --- the rest of the project --------------------------------------------------------------


def test_unknown_api_path_is_an_envelope_404(client, db, style, expected):
    response = client.get("/api/nowhere/")
    assert error_of(response, style) == expected["unknown_item"]


def test_pages_off_the_api_keep_djangos_404(client, db):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
