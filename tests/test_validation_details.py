"""The ``errors`` key: one flat list of field errors, whatever shape DRF or Django gave them;
the optional ``correlation_id`` key; and the success envelope of the DRF renderer."""

import pytest

REQUIRED = "This field is required."

ENVELOPE_KEYS = {
    "status": {"status", "error_code", "error_message"},
    "success": {"success", "message", "error_code"},
    "problem": {"type", "title", "status", "detail", "instance", "code"},
}
STYLES = list(ENVELOPE_KEYS)


def folder(**changes):
    """A valid FolderSerializer payload, with ``changes`` applied."""
    return {"title": "t", "address": {"city": "Paris"}, "items": [], "tags": [], **changes}


def post_json(client, path, payload):
    return client.post(path, payload, content_type="application/json")


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        pytest.param(
            folder(address={}),
            [{"field": "address.city", "code": "required", "message": REQUIRED}],
            id="nested-field",
        ),
        pytest.param(
            folder(address={"city": "Nowhere"}),
            [
                {
                    "field": "address.non_field_errors",
                    "code": "invalid",
                    "message": "City does not exist.",
                }
            ],
            id="nested-non-field",
        ),
        pytest.param(
            folder(title="forbidden"),
            [
                {
                    "field": "non_field_errors",
                    "code": "reserved",
                    "message": "This title is reserved.",
                }
            ],
            id="top-level-non-field",
        ),
        pytest.param(
            folder(items=[{"name": "ok", "size": 1}, {"name": "toolong", "size": 1}]),
            [
                {
                    "field": "items.1.name",
                    "code": "max_length",
                    "message": "Ensure this field has no more than 5 characters.",
                }
            ],
            id="nested-many-only-invalid-items",
        ),
        pytest.param(
            folder(tags=["a", "toolong"]),
            [
                {
                    "field": "tags.1",
                    "code": "max_length",
                    "message": "Ensure this field has no more than 3 characters.",
                }
            ],
            id="list-field-by-index",
        ),
        pytest.param(
            {"address": {}, "items": [{}], "tags": ["abcd"]},
            [
                {"field": "title", "code": "required", "message": REQUIRED},
                {"field": "address.city", "code": "required", "message": REQUIRED},
                {"field": "items.0.name", "code": "required", "message": REQUIRED},
                {"field": "items.0.size", "code": "required", "message": REQUIRED},
                {
                    "field": "tags.0",
                    "code": "max_length",
                    "message": "Ensure this field has no more than 3 characters.",
                },
            ],
            id="everything-at-once-in-field-order",
        ),
    ],
)
def test_serializer_errors_are_flattened(client, payload, errors):
    response = post_json(client, "/api/drf/validate/", payload)

    assert response.status_code == 400
    assert response.json() == {
        "status": False,
        "error_code": 68300004,
        "error_message": "Invalid parameter!",
        "errors": errors,
    }


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        pytest.param(
            [
                {"name": "ok", "size": 1},
                {"name": "toolongname", "size": 1},
                {"name": "a", "size": -1},
            ],
            [
                {
                    "field": "1.name",
                    "code": "max_length",
                    "message": "Ensure this field has no more than 5 characters.",
                },
                {
                    "field": "2.size",
                    "code": "min_value",
                    "message": "Ensure this value is greater than or equal to 0.",
                },
            ],
            id="only-invalid-items",
        ),
        pytest.param(
            {"name": "ok", "size": 1},
            [
                {
                    "field": "non_field_errors",
                    "code": "not_a_list",
                    "message": 'Expected a list of items but got type "dict".',
                }
            ],
            id="not-a-list",
        ),
    ],
)
def test_list_serializer_errors_are_indexed(client, payload, errors):
    response = post_json(client, "/api/drf/validate-many/", payload)

    assert response.status_code == 400
    assert response.json()["errors"] == errors


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        pytest.param(
            "dict",
            [
                {"field": "name", "code": "short", "message": "Too short: 2"},
                {"field": "name", "code": "digits", "message": "No digits"},
                {"field": "non_field_errors", "code": "invalid", "message": "Pick another pair"},
            ],
            id="dict",
        ),
        pytest.param(
            "list",
            [
                {"field": "non_field_errors", "code": "limit", "message": "Limit is 10"},
                {"field": "non_field_errors", "code": "nope", "message": "Not valid"},
            ],
            id="list",
        ),
    ],
)
def test_django_validation_error_forms(client, form, errors):
    response = client.get(f"/api/plain/django-validation/{form}/")

    assert response.status_code == 400
    assert response.json() == {
        "status": False,
        "error_code": 68300004,
        "error_message": "Invalid parameter!",
        "errors": errors,
    }


def test_parse_error_carries_the_parse_message(client):
    response = post_json(client, "/api/drf/validate/", "{bad")

    body = response.json()
    assert response.status_code == 400
    assert body["error_code"] == 68300007
    assert body["error_message"] == "Bad request!"
    [item] = body["errors"]
    assert item["field"] == "non_field_errors"
    assert item["code"] == "parse_error"
    assert item["message"].startswith("JSON parse error - ")


# RFC 9457 section 3: the problem style's items also say where the member at fault is.
LOCATED = {"problem": {"pointer": "#/address/city", "location": "body"}}


@pytest.mark.parametrize("style", STYLES)
def test_errors_key_is_the_same_in_every_style(client, settings, style):
    settings.API_ERRORS = {"STYLE": style}

    body = post_json(client, "/api/drf/validate/", folder(address={})).json()

    assert set(body) == ENVELOPE_KEYS[style] | {"errors"}
    assert body["errors"] == [
        {"field": "address.city", "code": "required", "message": REQUIRED, **LOCATED.get(style, {})}
    ]


@pytest.mark.parametrize(
    "name", ["http404", "runtime", "conflict", "drf_throttled", "drf_permission_denied_custom"]
)
@pytest.mark.parametrize("style", STYLES)
def test_no_extra_keys_on_other_errors(client, settings, style, name):
    settings.API_ERRORS = {"STYLE": style}

    body = client.get(f"/api/drf/raise/{name}/").json()

    assert set(body) == ENVELOPE_KEYS[style]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    "path", ["/api/plain/raise/http404/", "/api/drf/raise/runtime/", "/api/does-not-exist/"]
)
def test_correlation_id_in_body_when_configured(client, settings, style, path):
    settings.API_ERRORS = {"STYLE": style, "CORRELATION_ID_IN_BODY": True}

    response = client.get(path)

    body = response.json()
    assert set(body) == ENVELOPE_KEYS[style] | {"correlation_id"}
    assert body["correlation_id"] == response["X-Correlation-ID"]


def test_correlation_id_in_body_is_the_clients_accepted_id(client, settings):
    settings.API_ERRORS = {"CORRELATION_ID_IN_BODY": True}

    response = post_json(client, "/api/drf/validate/", folder(address={}))
    echoed = client.get("/api/plain/raise/http404/", headers={"X-Correlation-ID": "req-42"})

    assert set(response.json()) == ENVELOPE_KEYS["status"] | {"errors", "correlation_id"}
    assert echoed.json()["correlation_id"] == "req-42" == echoed["X-Correlation-ID"]


@pytest.mark.parametrize(
    ("style", "body"),
    [
        ("status", {"status": True, "error_code": 0, "data": {"id": 1}}),
        ("success", {"success": True, "data": {"id": 1}}),
        ("problem", {"id": 1}),
    ],
)
def test_success_renderer_wraps_successful_bodies(client, settings, style, body):
    settings.API_ERRORS = {"STYLE": style}

    response = client.get("/api/drf/ok/")

    assert response.status_code == 200
    assert response.json() == body


@pytest.mark.parametrize("style", STYLES)
def test_success_renderer_leaves_the_views_own_error_body(client, settings, style):
    settings.API_ERRORS = {"STYLE": style}

    response = client.post("/api/drf/ok/")

    assert response.status_code == 400
    assert response.json() == {"detail": "chosen by the view"}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("status", [204, 205, 304])
def test_success_renderer_leaves_responses_that_have_no_body_empty(client, settings, style, status):
    settings.API_ERRORS = {"STYLE": style}

    response = client.delete(f"/api/drf/ok/?status={status}")

    assert response.status_code == status
    assert response.content == b""
