"""A style the package does not ship (tests.styles.GoogleStyle, Google's AIP-193), named by
dotted path, works through every entry point, the schema, the page and the export."""

import json
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from api_errors import handlers
from tests.settings import MIDDLEWARE
from tests.styles import BAD_REQUEST, REQUEST_INFO, GoogleStyle
from tests.test_openapi import SCHEMA_SETTINGS
from tests.views import SECRET

GOOGLE = {"STYLE": "tests.styles.GoogleStyle"}


@pytest.fixture(autouse=True)
def google_style(settings):
    settings.API_ERRORS = GOOGLE


def error_of(response):
    assert response["Content-Type"] == "application/json"
    assert response["X-Correlation-ID"]
    body = response.json()
    assert list(body) == ["error"]
    return body["error"]


def test_drf_handler(client):
    error = error_of(client.get("/api/drf/raise/drf_not_found/"))
    assert error == {
        "code": 404,
        "status": "NOT_FOUND",
        "message": "Resource not found",
        "details": [],
    }


def test_validation_errors_are_field_violations(client):
    response = client.post("/api/drf/validate/", {}, content_type="application/json")
    error = error_of(response)
    assert response.status_code == 400
    assert error["status"] == "INVALID_ARGUMENT"
    [violations] = error["details"]
    assert violations["@type"] == BAD_REQUEST
    assert {"field": "title", "description": "This field is required.", "reason": "required"} in (
        violations["fieldViolations"]
    )


@pytest.mark.parametrize("path", ["/api/plain/raise/runtime/", "/api/async/raise/runtime/"])
def test_middleware_on_plain_views_hides_the_exception(client, path):
    response = client.get(path)
    error = error_of(response)
    assert response.status_code == 500
    assert error["status"] == "INTERNAL_ERROR"
    assert SECRET not in response.content.decode()


def test_middleware_replaces_html_error_pages(client):
    response = client.get("/api/plain/html-status/409/")
    assert response.status_code == 409
    assert error_of(response)["status"] == "DRIVE_ITEM_CONFLICT"


def test_djangos_404_for_an_unmatched_url(client):
    response = client.get("/api/no/such/page/")
    assert response.status_code == 404
    assert error_of(response)["status"] == "NOT_FOUND"


def test_csrf_failure_view():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/api/plain/read-body/", {"a": "b"})
    assert response.status_code == 403
    assert error_of(response)["status"] == "ACCESS_DENIED"


def test_handler500_with_the_exception_in_flight():
    request = RequestFactory().get("/api/anything/")
    try:
        raise RuntimeError(SECRET)
    except RuntimeError:
        assert sys.exc_info()[1] is not None
        response = handlers.handler500(request)
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["status"] == "INTERNAL_ERROR"


def test_correlation_id_in_body_is_request_info(client, settings):
    settings.API_ERRORS = {**GOOGLE, "CORRELATION_ID_IN_BODY": True}
    response = client.get("/api/drf/raise/drf_not_found/", headers={"X-Correlation-ID": "req-42"})
    assert error_of(response)["details"] == [{"@type": REQUEST_INFO, "requestId": "req-42"}]


# The style's broken rendering also breaks the schema's examples, which contract mode
# would generate to check the fallback.
@pytest.mark.api_errors_contract(False)
def test_a_broken_render_falls_back_to_the_styles_own_body(client, monkeypatch):
    def broken(style, error, context):
        raise ValueError("renderer broke")

    monkeypatch.setattr(GoogleStyle, "error_body", broken)
    response = client.get("/api/drf/raise/drf_not_found/")
    assert response.status_code == 500
    assert response.json() == GoogleStyle.fallback_body


def test_successful_bodies_are_not_wrapped(client):
    assert client.get("/api/drf/ok/").json() == {"id": 1}


def test_openapi_schema_documents_the_style():
    with override_settings(REST_FRAMEWORK=SCHEMA_SETTINGS, API_ERRORS=GOOGLE):
        schema = SchemaGenerator(urlconf="tests.urls_openapi").get_schema(public=True)
    schema = json.loads(json.dumps(schema, default=str))
    validate(schema)
    responses = schema["paths"]["/api/items/{item_id}/"]["get"]["responses"]
    media = responses["404"]["content"]["application/json"]
    assert media["schema"]["required"] == ["error"]
    error_schema = media["schema"]["properties"]["error"]
    assert error_schema["properties"]["status"]["enum"] == ["NOT_FOUND"]
    assert error_schema["properties"]["code"]["enum"] == [404]
    assert media["example"] == {
        "error": {
            "code": 404,
            "status": "NOT_FOUND",
            "message": "Resource not found",
            "details": [],
        }
    }
    # Successful bodies are described as they are sent: not wrapped.
    ok = responses["200"]["content"]["application/json"]["schema"]
    assert "data" not in ok.get("properties", {})


@pytest.mark.urls("tests.urls_docs")
def test_docs_page_uses_the_styles_prose_and_fields(client):
    page = client.get("/api/docs/errors/").content.decode()
    assert "Errors follow Google&#x27;s AIP-193" in page
    assert "<code>error.status</code>" in page
    assert "google style" in page
    # The retry sample reads the nested code safely.
    assert "RETRYABLE_CODES.has(body.error?.status)" in page


def test_export_names_the_style_and_renders_its_example():
    out = StringIO()
    call_command("api_errors_catalog", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["style"] == "google"
    assert data["catalog"] == "drive"
    assert data["example"]["content_type"] == "application/json"
    assert data["example"]["body"]["error"]["status"] == "INVALID_ARGUMENT"
    assert data["example"]["body"]["error"]["code"] == 400


def test_export_takes_a_style_by_dotted_path(settings):
    settings.API_ERRORS = {}
    out = StringIO()
    call_command("api_errors_catalog", "--style", "tests.styles.GoogleStyle", stdout=out)
    assert "`error.status`" in out.getvalue()


def test_export_refuses_what_is_not_a_style(settings):
    from django.core.management.base import CommandError

    settings.API_ERRORS = {}
    with pytest.raises(CommandError, match="Cannot use style"):
        call_command("api_errors_catalog", "--style", "tests.styles.NotAStyle", stdout=StringIO())


def test_checks_accept_the_style_and_refuse_what_is_not_one():
    from django.core.checks import run_checks

    def ids(api_errors):
        with override_settings(API_ERRORS=api_errors, MIDDLEWARE=MIDDLEWARE):
            return {m.id for m in run_checks() if (m.id or "").startswith("api_errors.")}

    assert ids(GOOGLE) == set()
    assert ids({"STYLE": "tests.styles.NotAStyle"}) == {"api_errors.E003"}
    # The style sends string codes: an integer code is reported.
    assert ids({**GOOGLE, "ERRORS": [{"code": 4242, "http_status": 400, "message": "x"}]}) == {
        "api_errors.E007"
    }
