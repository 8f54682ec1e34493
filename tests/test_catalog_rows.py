"""Every row of both documents' catalog tables, answered by the example view in each style.

The expected tables are copied from the reference documents on purpose: if a preset
drifts (a code, a status or a word of a message), these tests fail.
"""

from http import HTTPStatus

import pytest
from django.test import override_settings

from api_errors.active import get_catalog, get_style
from api_errors.catalog import Condition
from api_errors.conf import get_settings
from api_errors.conversion import for_condition
from api_errors.styles import RenderContext

# Platform document (status style): code, default HTTP status, exact message.
PLATFORM_ROWS = [
    (68300004, 400, "Invalid parameter!"),
    (68300005, 502, "Search api failure!"),
    (68300006, 403, "Analytic basic access error!"),
    (68300007, 400, "Bad request!"),
    (68300008, 503, "Service error, please try again later!"),
    (68300010, 400, "The file does not comply with upload specifications!"),
    (67200001, 403, "API call exceeds the total limit set by the platform!"),
    (67200002, 403, "Quota exceeds the limit!"),
    (67200003, 401, "Access token expired or authentication error!"),
    (67200004, 403, "No permission or API package quota has exceeded the limit!"),
    (67200005, 402, "Insufficient balance, call failed!"),
    (67200006, 401, "This client has expired and call failed!"),
    (67200007, 429, "Exceeded the call limit, call failed!"),
]

# Drive document (success style): code, default HTTP status, exact message.
DRIVE_ROWS = [
    ("NOT_FOUND", 404, "Resource not found"),
    (
        "DRIVE_ITEM_CONFLICT",
        409,
        "Drive item name conflict, e.g. file or folder with the same name already exists",
    ),
    (
        "INVALID_ARGUMENT",
        400,
        "Invalid input: parameter validation, type mismatch, or malformed body",
    ),
    ("CONNECTOR_NOT_LINKED", 403, "Third-party connector (WPS, Lark, etc.) not yet authorized"),
    ("STATE_NOT_READY", 409, "Resource exists but its current state does not allow the operation"),
    ("ACCESS_DENIED", 403, "Caller lacks permission to access the resource"),
    ("QUOTA_EXCEEDED", 402, "Quota or usage limit exceeded"),
    ("DOWNLOAD_NOT_SUPPORTED", 400, "The requested resource does not support download"),
    ("INTERNAL_ERROR", 500, "Unexpected server-side error"),
]

PLATFORM_IDS = [str(code) for code, _, _ in PLATFORM_ROWS]
DRIVE_IDS = [code for code, _, _ in DRIVE_ROWS]

TYPE_URI = "https://docs.example.com/errors#{code}"

# The example of the code that answers validation errors carries the page's sample item.
SAMPLE = {
    "field": "items.1.unit_price",
    "code": "invalid",
    "message": "A valid number is required.",
}
LOCATED_SAMPLE = {**SAMPLE, "pointer": "#/items/1/unit_price", "location": "body"}


def sample_errors(code, item=SAMPLE):
    """The ``errors`` key of ``code``'s example: only the validation code's has one."""
    return {"errors": [item]} if code in (68300004, "INVALID_ARGUMENT") else {}


def assert_common_headers(response, status, content_type="application/json"):
    assert response.status_code == status
    assert response["Content-Type"] == content_type
    assert response["X-Correlation-ID"]
    if status in (429, 503):
        assert response["Retry-After"].isdigit()
        assert int(response["Retry-After"]) >= 1
    else:
        assert "Retry-After" not in response


@pytest.mark.parametrize(("code", "status", "message"), PLATFORM_ROWS, ids=PLATFORM_IDS)
def test_platform_row_in_status_style(client, code, status, message):
    response = client.get(f"/api/examples/errors/{code}/")

    assert_common_headers(response, status)
    assert response.json() == {
        "status": False,
        "error_code": code,
        "error_message": message,
        **sample_errors(code),
    }


@override_settings(API_ERRORS={"STYLE": "success"})
@pytest.mark.parametrize(("code", "status", "message"), DRIVE_ROWS, ids=DRIVE_IDS)
def test_drive_row_in_success_style(client, code, status, message):
    response = client.get(f"/api/examples/errors/{code}/")

    assert_common_headers(response, status)
    assert response.json() == {
        "success": False,
        "message": message,
        "error_code": code,
        **sample_errors(code),
    }


@override_settings(API_ERRORS={"STYLE": "problem"})
@pytest.mark.parametrize(("code", "status", "message"), DRIVE_ROWS, ids=DRIVE_IDS)
def test_drive_row_in_problem_style(client, code, status, message):
    path = f"/api/examples/errors/{code}/"
    response = client.get(path)

    assert_common_headers(response, status, "application/problem+json")
    assert response.json() == {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "instance": path,
        "code": code,
        **sample_errors(code, LOCATED_SAMPLE),
    }


@override_settings(API_ERRORS={"STYLE": "problem", "PROBLEM_TYPE_URI": TYPE_URI})
@pytest.mark.parametrize(("code", "status", "message"), DRIVE_ROWS, ids=DRIVE_IDS)
def test_drive_row_in_problem_style_with_type_uri(client, code, status, message):
    path = f"/api/examples/errors/{code}/"
    response = client.get(path)

    assert_common_headers(response, status, "application/problem+json")
    assert response.json() == {
        "type": f"https://docs.example.com/errors#{code}",
        "title": message,
        "status": status,
        "detail": message,
        "instance": path,
        "code": code,
        **sample_errors(code, LOCATED_SAMPLE),
    }


@pytest.mark.parametrize(
    ("api_errors", "rows"),
    [
        ({}, PLATFORM_ROWS),
        ({"STYLE": "success"}, DRIVE_ROWS),
        ({"STYLE": "problem"}, DRIVE_ROWS),
    ],
    ids=["status", "success", "problem"],
)
def test_catalog_view_lists_the_active_catalog(client, settings, api_errors, rows):
    settings.API_ERRORS = api_errors

    response = client.get("/api/errors/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    entries = response.json()["errors"]
    assert [(e["code"], e["http_status"], e["message"]) for e in entries] == rows
    for entry in entries:
        assert set(entry) == {
            "code",
            "http_status",
            "message",
            "category",
            "retryable",
            "deprecated",
        }
        assert entry["deprecated"] is None
        assert entry["category"] in ("business", "platform")
        # Both documents ask clients to retry server-side errors.
        if entry["http_status"] >= 500:
            assert entry["retryable"] is True


def test_platform_categories_follow_the_document(client):
    """The platform document splits its table: 683xxxxx business, 672xxxxx platform."""
    entries = client.get("/api/errors/").json()["errors"]

    assert {e["code"]: e["category"] for e in entries} == {
        code: "business" if str(code).startswith("683") else "platform"
        for code, _, _ in PLATFORM_ROWS
    }


@pytest.mark.parametrize(
    ("api_errors", "status", "body"),
    [
        ({}, 404, {"status": False, "error_code": 68300007, "error_message": "Bad request!"}),
        (
            {"STYLE": "success"},
            404,
            {"success": False, "message": "Resource not found", "error_code": "NOT_FOUND"},
        ),
        (
            {"STYLE": "problem"},
            404,
            {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "Resource not found",
                "instance": "/api/examples/errors/NOPE/",
                "code": "NOT_FOUND",
            },
        ),
    ],
    ids=["status", "success", "problem"],
)
def test_unknown_example_code_is_not_found(client, settings, api_errors, status, body):
    settings.API_ERRORS = api_errors

    response = client.get("/api/examples/errors/NOPE/")

    assert response.status_code == status
    assert response.json() == body
    assert response["X-Correlation-ID"]


@pytest.mark.parametrize(
    ("api_errors", "content_type", "body"),
    [
        (
            {},
            "application/json",
            {"status": False, "error_code": 68300007, "error_message": "Bad request!"},
        ),
        (
            {"STYLE": "success"},
            "application/json",
            {
                "success": False,
                "message": "Invalid input: parameter validation, type mismatch, or malformed body",
                "error_code": "INVALID_ARGUMENT",
            },
        ),
        (
            {"STYLE": "problem"},
            "application/problem+json",
            {
                "type": "about:blank",
                "title": "Method Not Allowed",
                "status": 405,
                "detail": "Invalid input: parameter validation, type mismatch, or malformed body",
                "instance": "/api/examples/errors/68300004/",
                "code": "INVALID_ARGUMENT",
            },
        ),
    ],
    ids=["status", "success", "problem"],
)
def test_post_to_example_is_method_not_allowed(client, settings, api_errors, content_type, body):
    settings.API_ERRORS = api_errors

    response = client.post("/api/examples/errors/68300004/")

    assert response.status_code == 405
    assert response["Content-Type"] == content_type
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == body


@pytest.mark.parametrize("style", ["status", "success", "problem"])
def test_fallback_bodies_say_what_the_catalog_says_for_a_server_error(style):
    """The last-resort 500 bodies are constants (rendering failed); they cannot drift."""
    with override_settings(API_ERRORS={"STYLE": style}):
        conf = get_settings()
        error = for_condition(Condition.SERVER_ERROR, get_catalog())
        style_object = get_style()
        body = style_object.render(error, RenderContext(path="/", correlation_id=None, conf=conf))
    body.pop("instance", None)
    assert style_object.fallback_body == body
