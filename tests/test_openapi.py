"""The generated schema documents exactly the envelopes, codes and headers the server sends."""

import json

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from tests.settings import REST_FRAMEWORK

SCHEMA_SETTINGS = {
    **REST_FRAMEWORK,
    "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "100/m"},
}
STYLES = ["status", "success", "problem"]


def generate(style="status", **api_errors):
    with override_settings(
        REST_FRAMEWORK=SCHEMA_SETTINGS, API_ERRORS={"STYLE": style, **api_errors}
    ):
        schema = SchemaGenerator(urlconf="tests.urls_openapi").get_schema(public=True)
    # Through JSON, as a client reads it (lazy strings become text).
    return json.loads(json.dumps(schema, default=str))


def responses(schema, path, method="get"):
    return schema["paths"][path][method]["responses"]


def codes(response, style="status"):
    media = next(iter(response["content"].values()))
    key = "code" if style == "problem" else "error_code"
    return media["schema"]["properties"][key]["enum"]


@pytest.mark.parametrize("style", STYLES)
def test_schema_is_valid_openapi(style):
    validate(generate(style))


def test_every_operation_documents_server_errors_and_framework_conditions():
    schema = generate()
    open_view = responses(schema, "/api/open/")
    # 404: DRF answers an unknown ?format= with it, on every operation.
    assert sorted(open_view) == ["200", "404", "405", "406", "500"]
    assert codes(open_view["500"]) == [68300008]
    assert codes(open_view["405"]) == [68300007]


def test_authentication_permissions_path_parameters_and_bodies():
    schema = generate()
    get = responses(schema, "/api/items/{item_id}/")
    assert {"401", "404"} <= set(get)
    # IsAuthenticated behind BasicAuthentication: the anonymous get 401, never 403.
    assert "403" not in get
    # No body on GET: no validation or media-type errors.
    assert "400" not in get
    assert "415" not in get
    assert codes(get["401"]) == [67200003]
    assert "WWW-Authenticate" in get["401"]["headers"]
    post = responses(schema, "/api/items/{item_id}/", "post")
    assert {"400", "413", "415"} <= set(post)
    assert codes(post["400"]) == [68300004, 68300007]


def test_no_challenge_means_403_for_unauthenticated():
    session = responses(generate(), "/api/session/")
    assert "401" not in session
    # DRF answers the anonymous 403 (NotAuthenticated without a challenge); IsAuthenticated
    # refuses no one else.
    assert set(codes(session["403"])) == {67200003}


def test_declared_exceptions_are_documented():
    schema = generate("success")
    assert "STATE_NOT_READY" in codes(responses(schema, "/api/items/{item_id}/")["409"])
    post = responses(schema, "/api/items/{item_id}/", "post")
    assert codes(post["409"]) == ["DRIVE_ITEM_CONFLICT"]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("status", {"429": [67200007], "403": [67200002], "402": [67200005], "503": [68300008]}),
        (
            "success",
            {"429": ["QUOTA_EXCEEDED"], "402": ["QUOTA_EXCEEDED"], "503": ["INTERNAL_ERROR"]},
        ),
    ],
)
def test_limits_quotas_and_balances_are_documented(style, expected):
    limited = responses(generate(style), "/api/limited/")
    for status, status_codes in expected.items():
        assert codes(limited[status], style) == status_codes, status
    assert {"Retry-After", "RateLimit-Policy", "RateLimit"} <= set(limited["429"]["headers"])
    assert "Retry-After" in limited["503"]["headers"]


def test_fail_open_limits_do_not_document_503_and_rate_fields_can_be_hidden():
    limited = responses(generate(LIMITS_FAIL_OPEN=True, RATE_LIMIT_HEADERS=False), "/api/limited/")
    assert "503" not in limited
    assert set(limited["429"]["headers"]) == {"Retry-After", "X-Correlation-ID"}


def test_drf_throttles_and_total_quotas():
    throttled = responses(generate(), "/api/drf-throttled/")
    assert codes(throttled["429"]) == [67200007]
    assert codes(throttled["403"]) == [67200002]


@pytest.mark.parametrize("style", STYLES)
def test_every_response_documents_the_correlation_header(style):
    schema = generate(style, CORRELATION_ID_HEADER="X-Request-ID")
    for operations in schema["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                assert "X-Request-ID" in response["headers"]


def all_responses(schema):
    for operations in schema["paths"].values():
        for operation in operations.values():
            yield from operation["responses"].values()


def test_the_correlation_header_is_required_where_the_middleware_sends_it(settings):
    """With the middleware every response carries it, so a client (and contract mode) may
    count on it; without, only what the server sends anyway is promised."""
    assert all(r["headers"]["X-Correlation-ID"]["required"] for r in all_responses(generate()))

    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("api_errors.")]
    assert not any(
        "required" in r["headers"]["X-Correlation-ID"] for r in all_responses(generate())
    )


def test_problem_style_documents_problem_json():
    schema = generate("problem")
    response = responses(schema, "/api/open/")["500"]
    assert list(response["content"]) == ["application/problem+json"]
    example = response["content"]["application/problem+json"]["example"]
    assert example["status"] == 500
    assert example["code"] == "INTERNAL_ERROR"


@pytest.mark.parametrize("style", ["status", "success"])
def test_enveloped_success_bodies_are_documented_wrapped(style):
    ok = responses(generate(style), "/api/items/{item_id}/")["200"]
    schema = ok["content"]["application/json"]["schema"]
    assert schema["required"][-1] == "data"
    assert schema["properties"]["data"] == {"$ref": "#/components/schemas/Item"}
    # Views without the envelope renderer are documented as they are.
    plain = responses(generate(style), "/api/open/")["200"]
    assert plain["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}


@pytest.mark.urls("tests.urls_openapi")
def test_documented_example_is_what_the_server_sends(client):
    schema = generate()
    documented = responses(schema, "/api/session/")["403"]["content"]["application/json"]
    response = client.get("/api/session/")
    assert response.status_code == 403
    body = response.json()
    assert body["error_code"] in documented["schema"]["properties"]["error_code"]["enum"]
    assert set(body) <= set(documented["schema"]["properties"])


def test_views_with_another_exception_handler_document_no_envelopes():
    other = responses(generate(), "/api/other-handler/")
    assert sorted(other) == ["200"]
    # The correlation header still goes on every response: the middleware sends it.
    assert "X-Correlation-ID" in other["200"]["headers"]


def test_a_hook_that_fails_is_reported_through_drf_spectacular(capsys):
    broken = responses(generate(), "/api/broken-throttles/")
    assert "api_errors could not call BrokenThrottlesView.get_throttles()" in (
        capsys.readouterr().err
    )
    # The rest of the operation is still documented.
    assert {"404", "405", "406", "500"} <= set(broken)
