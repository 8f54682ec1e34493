"""The example's documentation, in process under its own settings (DEBUG off): the OpenAPI
schema, Swagger UI and Redoc served offline, the Error Handling page, and zh-hans messages."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from openapi_spec_validator import validate

from api_errors.active import get_catalog
from tests.example.support import EXPECTED, error_of

pytestmark = pytest.mark.urls("example_project.urls")

# Every operation of the example and the error statuses it documents (the same in each style).
# DRF answers an unknown ?format= with 404, so every operation documents it. 403 only
# where something can refuse a signed-in key (IsAuthenticated alone never does).
OPERATIONS = {
    ("post", "/api/drive/imports/"): {400, 401, 403, 404, 405, 406, 413, 415, 500},
    ("get", "/api/drive/items/"): {400, 401, 404, 405, 406, 500},
    ("post", "/api/drive/items/"): {400, 401, 404, 405, 406, 409, 413, 415, 500},
    ("get", "/api/drive/items/{id}/"): {401, 404, 405, 406, 500},
    ("get", "/api/drive/items/{id}/download/"): {400, 401, 404, 405, 406, 409, 429, 500, 503},
    ("get", "/api/search/"): {400, 401, 402, 404, 405, 406, 429, 500, 502, 503},
}
# The platform catalog answers a monthly quota with 403; the drive catalog with 402.
STATUS_STYLE_ONLY = {("get", "/api/search/"): {403}}
SUCCESS_STATUS = {
    ("post", "/api/drive/imports/"): 202,
    ("post", "/api/drive/items/"): 201,
}
# Where each scenario of the drive API tests (support.EXPECTED) happens.
SCENARIO_OPERATIONS = {
    "duplicate_name": [("post", "/api/drive/items/")],
    "invalid_item": [("post", "/api/drive/items/")],
    "unknown_item": [
        ("get", "/api/drive/items/"),
        ("get", "/api/drive/items/{id}/"),
        ("get", "/api/drive/items/{id}/download/"),
    ],
    "download_folder": [("get", "/api/drive/items/{id}/download/")],
    "download_processing": [("get", "/api/drive/items/{id}/download/")],
    "unlinked_connector": [("post", "/api/drive/imports/")],
    "search_failure": [("get", "/api/search/")],
    "search_without_query": [("get", "/api/search/")],
    "rate_limited": [("get", "/api/search/")],
    "quota_exceeded": [("get", "/api/search/")],
    "insufficient_balance": [("get", "/api/search/")],
    **{
        scenario: list(OPERATIONS)
        for scenario in ("no_key", "unknown_key", "expired_key", "disabled_key")
    },
}
ASSET = re.compile(r'(?:src|href)="([^"]*)"')
EXTERNAL = re.compile(r"\bhttps?://|(?:src|href)=\"//")
CJK = re.compile(r"[\u4e00-\u9fff]")


def schema_of(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def operations_of(schema):
    """The drive API's operations. Whether drf-spectacular lists its own schema view is
    decided when drf_spectacular.views is first imported (the example's settings leave it
    out; the suite may import it first): the real server's schema is checked for exactly
    these operations by test_schema_fuzzing."""
    return {
        (method, path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path != "/api/schema/"
    }


def documented_codes(response, style):
    (media,) = response["content"].values()
    return media["schema"]["properties"]["code" if style == "problem" else "error_code"]["enum"]


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- /api/schema/ -------------------------------------------------------------------------


def test_schema_is_valid_and_documents_every_operations_errors(client, served_as_example):
    schema = schema_of(client)
    validate(schema)
    operations = operations_of(schema)
    assert set(operations) == set(OPERATIONS)
    for key, operation in operations.items():
        statuses = {int(status) for status in operation["responses"]}
        expected = {SUCCESS_STATUS.get(key, 200), *OPERATIONS[key]}
        if served_as_example == "status":
            expected |= STATUS_STYLE_ONLY.get(key, set())
        assert statuses == expected, key
        assert operation["security"] == [{"ApiKey": []}]


@pytest.mark.parametrize("scenario", sorted(SCENARIO_OPERATIONS))
def test_every_error_the_drive_api_sends_is_documented_where_it_happens(
    client, served_as_example, scenario
):
    status, code = EXPECTED[served_as_example][scenario]
    operations = operations_of(schema_of(client))
    for key in SCENARIO_OPERATIONS[scenario]:
        response = operations[key]["responses"][str(status)]
        assert code in documented_codes(response, served_as_example), key


def test_only_the_search_documents_a_5xx_other_than_500(client, served_as_example):
    """What tests/example/schemathesis.toml lets through: a 502 on the search, nowhere else,
    and the 503 of the limits' store down where limits count (the search, the download)."""
    operations = operations_of(schema_of(client))
    server_errors = {
        key: {status for status in operation["responses"] if status.startswith("5")}
        for key, operation in operations.items()
    }
    assert {key: statuses for key, statuses in server_errors.items() if statuses != {"500"}} == {
        ("get", "/api/search/"): {"500", "502", "503"},
        ("get", "/api/drive/items/{id}/download/"): {"500", "503"},
    }


def test_search_offers_a_found_and_a_failing_query(client, served_as_example):
    (query,) = operations_of(schema_of(client))["get", "/api/search/"]["parameters"]
    assert query["name"] == "q"
    assert query["required"] is True
    assert query["schema"] == {"type": "string", "minLength": 1, "maxLength": 200}
    assert {example["value"] for example in query["examples"].values()} == {"read", "fail"}


def test_download_documents_the_plain_text_it_sends(client, served_as_example):
    """The view returns the file itself (an HttpResponse), never an envelope."""
    operation = operations_of(schema_of(client))["get", "/api/drive/items/{id}/download/"]
    assert operation["responses"]["200"]["content"] == {
        "text/plain": {"schema": {"type": "string"}}
    }


# --- Swagger UI and Redoc, offline --------------------------------------------------------


@pytest.mark.parametrize("page", ["/api/schema/swagger/", "/api/schema/redoc/"])
def test_api_docs_load_only_local_assets_and_those_are_served(client, served_as_example, page):
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assets = ASSET.findall(html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert body_of(served), asset
    # The schema they show is this project's.
    assert "/api/schema/" in html


def test_missing_static_file_is_djangos_404_not_an_api_error(client, served_as_example):
    response = client.get("/static/drf_spectacular_sidecar/nowhere.js")
    assert response.status_code == 404
    assert not response.headers["Content-Type"].startswith("application/")


# --- /api/docs/errors/ --------------------------------------------------------------------


def test_error_handling_page_lists_every_code_of_the_active_catalog(client, served_as_example):
    response = client.get("/api/docs/errors/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.content.decode()
    entries = get_catalog().entries
    assert entries
    for entry in entries:
        assert f'id="error-{entry.code}"' in page, entry.code
        assert in_language("en", entry.message) in page, entry.code


# --- Accept-Language ----------------------------------------------------------------------

MESSAGE_KEY = {"status": "error_message", "success": "message"}


def in_language(language, message):
    """A catalog message (lazy, or its English text) in ``language``."""
    with translation.override(language):
        return translation.gettext(str(message))


@pytest.mark.parametrize("style", ["status", "success"])
def test_chinese_messages_keep_the_error_code(client, served_as_example):
    style = served_as_example
    message_key = MESSAGE_KEY[style]
    for entry in get_catalog().entries:
        url = f"/api/examples/errors/{entry.code}/"
        english = client.get(url)
        localised = client.get(url, headers={"Accept-Language": "zh-hans"})
        assert (
            error_of(localised, style)
            == error_of(english, style)
            == (entry.http_status, entry.code)
        )
        assert english.json()[message_key] == in_language("en", entry.message)
        assert localised.json()[message_key] == in_language("zh-hans", entry.message)
        assert CJK.search(localised.json()[message_key]), entry.code
        assert localised.headers["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("style", ["status", "success"])
@pytest.mark.parametrize(
    ("path", "scenario"),
    [("/api/drive/items/", "no_key"), ("/api/nowhere/", "unknown_item")],
)
def test_drive_api_errors_in_chinese(client, served_as_example, path, scenario):
    style = served_as_example
    message_key = MESSAGE_KEY[style]
    english = client.get(path)
    localised = client.get(path, headers={"Accept-Language": "zh-hans"})
    assert error_of(localised, style) == error_of(english, style) == EXPECTED[style][scenario]
    assert CJK.search(localised.json()[message_key])
    assert localised.json()[message_key] == in_language("zh-hans", english.json()[message_key])
