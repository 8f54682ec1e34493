"""``assert_api_error`` on real responses of Django's and DRF's test clients, in every style."""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from api_errors.catalog import Condition
from api_errors.catalog.presets.platform import BAD_REQUEST, INVALID_PARAMETER
from api_errors.testing import assert_api_error
from api_errors.testing.assertions import value_at
from tests.settings import MIDDLEWARE

STYLES = ["status", "success", "problem"]
NOT_FOUND_CODE = {"status": BAD_REQUEST, "success": "NOT_FOUND", "problem": "NOT_FOUND"}


@pytest.fixture(params=STYLES)
def style(request, api_errors_settings):
    api_errors_settings(STYLE=request.param)
    return request.param


def failure(response, **expected):
    with pytest.raises(AssertionError) as raised:
        assert_api_error(response, **expected)
    return str(raised.value)


def test_a_not_found_envelope_passes_by_condition_and_returns_the_body(client, style):
    response = client.get("/api/drf/raise/drf_not_found/")

    body = assert_api_error(response, code=Condition.NOT_FOUND)

    assert body == response.json()


def test_the_code_as_the_catalog_writes_it(client, style):
    response = client.get("/api/plain/raise/http404/")

    assert_api_error(response, code=NOT_FOUND_CODE[style], status=404)


def test_the_statuses_a_code_is_sent_with(api_errors_catalog):
    # Its entry's, then the conditions' answering with it, each once.
    assert api_errors_catalog.statuses(BAD_REQUEST) == [400, 404, 405, 406, 415, 413, 409]
    assert api_errors_catalog.statuses(INVALID_PARAMETER) == [400]
    assert api_errors_catalog.statuses(12345) == []


def test_without_status_a_code_passes_with_any_status_the_catalog_sends_it_with(client):
    # 68300007 is the platform catalog's 400, and its answer to not_found at 404.
    assert_api_error(client.get("/api/drf/raise/drf_not_found/"), code=BAD_REQUEST)
    assert_api_error(client.get("/api/drf/raise/drf_parse/"), code=BAD_REQUEST)


async def test_the_async_client(async_client, style):
    response = await async_client.get("/api/async/raise/drf_validation/")

    assert_api_error(response, code=Condition.VALIDATION_ERROR, status=400, field="name")


def test_drf_api_client(style):
    response = APIClient().post("/api/drf/validate/", {"title": "x"}, format="json")

    assert_api_error(response, code=Condition.VALIDATION_ERROR, field="address")


def test_a_field_error_by_its_path(client):
    response = client.post(
        "/api/drf/validate/",
        {"title": "t", "address": {"city": "c"}, "items": [{"name": "too long", "size": 1}]},
        content_type="application/json",
    )

    assert_api_error(response, field="items.0.name")


def test_nothing_expected_but_an_envelope_of_the_catalog(client, style):
    assert_api_error(client.get("/api/drf/raise/conflict/"))


def test_a_wrong_status_fails_showing_the_envelope_status_and_headers(client):
    response = client.get("/api/drf/raise/drf_throttled/")

    message = failure(response, code=Condition.RATE_LIMITED, status=400)

    assert "HTTP status is 429, expected 400" in message
    assert "Expected an error envelope of the 'status' style, code 67200007" in message
    assert "(condition 'rate_limited'), HTTP 400, a valid X-Correlation-ID header." in message
    assert "Response: HTTP 429" in message
    assert f"  X-Correlation-ID: {response['X-Correlation-ID']}" in message
    assert "  Retry-After: 4" in message
    assert json.dumps(response.json(), indent=2) in message


def test_a_status_the_catalog_never_sends_the_code_with(client):
    response = client.get("/api/drf/raise/drf_not_found/")

    message = failure(response, code=INVALID_PARAMETER)

    assert "error_code is 68300007, not 68300004" in message
    assert "HTTP status is 404, expected 400" in message


def test_a_wrong_code_fails(client, style):
    response = client.get("/api/drf/raise/drf_throttled/")

    message = failure(response, code=Condition.NOT_FOUND)

    code_field = "code" if style == "problem" else "error_code"
    assert f"{code_field} is " in message
    assert f"not {NOT_FOUND_CODE[style]!r}" in message
    assert "HTTP status is 429, expected 404" in message


def test_a_code_the_catalog_lacks_fails(client):
    message = failure(client.get("/api/drf/raise/conflict/"), code="no_such_thing")

    assert "'no_such_thing' is neither a code nor a condition of the active catalog" in message


def test_a_missing_field_error_names_the_fields_present(client):
    response = client.get("/api/drf/raise/drf_validation/")

    message = failure(response, field="title")

    assert "no field error for 'title' under 'errors' (present: 'name')" in message


def test_no_field_errors_at_all(client):
    message = failure(client.get("/api/drf/raise/conflict/"), field="title")

    assert "(present: none)" in message


def test_a_response_without_the_correlation_header_fails(client):
    without_middleware = [name for name in MIDDLEWARE if not name.startswith("api_errors.")]
    with override_settings(MIDDLEWARE=without_middleware):
        response = client.get("/api/drf/raise/conflict/")

    assert "no X-Correlation-ID header" in failure(response)


def test_a_correlation_id_the_middleware_would_not_send_fails(client, api_errors_settings):
    response = client.get("/api/drf/raise/conflict/", headers={"X-Correlation-ID": "client-7"})
    assert_api_error(response)

    api_errors_settings(TRUST_CORRELATION_ID=False)

    assert "X-Correlation-ID 'client-7' is not an id the middleware sends" in failure(response)


def test_a_body_that_is_not_the_styles_envelope_fails(client):
    response = client.get("/api/plain/json-error/")

    message = failure(response)

    assert "not a 'status' envelope: (the body): 'status' is a required property" in message
    assert "Additional properties are not allowed ('chosen' was unexpected)" in message
    assert "error_code None is not a code of the active catalog" in message


def test_another_styles_envelope_fails(client, api_errors_settings):
    response = client.get("/api/drf/raise/conflict/")
    api_errors_settings(STYLE="problem")

    message = failure(response)

    assert "Content-Type is application/json, not application/problem+json" in message
    assert "not a 'problem' envelope" in message


def test_a_code_of_the_wrong_type_is_a_shape_problem(client, api_errors_settings):
    response = client.get("/api/drf/raise/conflict/")
    api_errors_settings(STYLE="success")

    message = failure(response)

    assert "error_code: 68300007 is not of type 'string'" in message


def test_a_page_that_is_not_json_fails_showing_its_text(client):
    response = client.get("/pages/ok/")

    message = failure(response)

    assert "Content-Type is text/html, not application/json" in message
    assert "the body is not JSON" in message
    assert message.endswith("Body:\n<p>hello</p>")


@pytest.mark.urls("tests.urls_contract")
def test_a_streaming_response_is_not_an_envelope(client):
    response = client.get("/api/things/1/?answer=streamed")

    message = failure(response)

    assert "the body is not JSON (a streaming response)" in message
    assert message.endswith("Body:\n(a streaming body)")


def test_an_empty_body_is_shown_as_such(client):
    response = client.delete("/api/drf/ok/?status=204")

    assert failure(response).endswith("Body:\n(empty)")


def test_value_at_follows_dotted_paths():
    assert value_at({"error": {"code": 7}}, "error.code") == 7
    assert value_at({"error": 7}, "error.code") is None
    assert value_at(["not", "a", "mapping"], "code") is None
