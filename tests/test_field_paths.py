"""Field paths: ``FIELD_NAME_CASE`` in every style, and the problem style's RFC 9457
validation items, each with a JSON Pointer to the member at fault and where it was sent."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

import api_errors
from api_errors.active import get_catalog
from api_errors.catalog import Location
from api_errors.conf import get_settings
from api_errors.conversion import to_api_error
from api_errors.documentation import describe_errors, render_html
from api_errors.field_paths import MAX_DOTS_IN_KEY, camel_case
from api_errors.styles import RenderContext, StatusStyle
from tests.field_path_views import HEADER_ERROR, SORT_ERROR, order
from tests.styles import BAD_REQUEST

pytestmark = pytest.mark.urls("tests.urls_field_paths")

STYLES = ["status", "success", "problem"]
CASES = ["unchanged", "camel"]
REQUIRED = "This field is required."
INVALID_INTEGER = "A valid integer is required."


def post_json(client, path, payload):
    return client.post(path, payload, content_type="application/json")


def errors_of(response):
    assert response.status_code == 400, response.content
    return response.json()["errors"]


def configure(settings, style="problem", case="unchanged", **more):
    settings.API_ERRORS = {"STYLE": style, "FIELD_NAME_CASE": case, **more}


def located(errors):
    """``(field, pointer, location)`` of each item."""
    return [(item["field"], item["pointer"], item["location"]) for item in errors]


# --- camelCase in every style ---------------------------------------------------------------

BAD_ORDER = order(
    shipping_address={"postal_code": "7500199"},
    line_items=[{"product_id": 1, "unit_price": "9.99"}, {"product_id": 2, "unit_price": "x"}],
    gift_tags=["ok", "toolong"],
    extra_attributes={"gift_wrap": "yes"},
)
FIELDS = {
    "unchanged": [
        "shipping_address.postal_code",
        "shipping_address.country_code",
        "line_items.1.unit_price",
        "gift_tags.1",
        "extra_attributes.gift_wrap",
    ],
    "camel": [
        "shippingAddress.postalCode",
        "shippingAddress.countryCode",
        "lineItems.1.unitPrice",
        "giftTags.1",
        "extraAttributes.giftWrap",
    ],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
def test_every_segment_of_a_serializers_paths_is_in_the_case(client, settings, style, case):
    configure(settings, style, case)

    errors = errors_of(post_json(client, "/api/fields/orders/", BAD_ORDER))

    assert [item["field"] for item in errors] == FIELDS[case]
    assert [item["code"] for item in errors] == [
        "max_length",
        "required",
        "invalid",
        "max_length",
        "invalid",
    ]
    if style == "problem":
        assert [item["pointer"] for item in errors] == [
            "#/" + field.replace(".", "/") for field in FIELDS[case]
        ]
        assert {item["location"] for item in errors} == {"body"}
    else:
        assert all(set(item) == {"field", "code", "message"} for item in errors)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
async def test_the_async_client_gets_the_same_paths(async_client, settings, style, case):
    configure(settings, style, case)

    response = await async_client.post(
        "/api/fields/orders/", BAD_ORDER, content_type="application/json"
    )

    assert [item["field"] for item in errors_of(response)] == FIELDS[case]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "unchanged",
            [
                ("0.product_id", "#/0/product_id", "body"),
                ("0.unit_price", "#/0/unit_price", "body"),
                ("1.product_id", "#/1/product_id", "body"),
            ],
        ),
        (
            "camel",
            [
                ("0.productId", "#/0/productId", "body"),
                ("0.unitPrice", "#/0/unitPrice", "body"),
                ("1.productId", "#/1/productId", "body"),
            ],
        ),
    ],
)
def test_a_list_serializers_paths_start_with_the_index(client, settings, case, expected):
    configure(settings, case=case)

    payload = [{}, {"product_id": "x", "unit_price": "1.00"}]
    errors = errors_of(post_json(client, "/api/fields/line-items/", payload))

    assert located(errors) == expected


def test_the_setting_off_leaves_the_items_as_they_are():
    """No copy, no work per error: the style sends the very list the conversion made."""
    conf = get_settings()
    error = to_api_error(api_errors.InvalidParameter(errors=[SORT_ERROR]), get_catalog(), conf)
    context = RenderContext(path="/", correlation_id=None, conf=conf)

    assert StatusStyle(conf).field_errors(error, context) is error.errors


@pytest.mark.parametrize(
    ("name", "camel"),
    [
        ("unit_price", "unitPrice"),
        ("line_items", "lineItems"),
        ("item_2", "item2"),
        ("v_2_counter", "v2Counter"),
        ("_private", "Private"),
        ("a__b", "a_B"),
        ("name_A", "name_A"),
        ("already_camelCase", "alreadyCamelCase"),
        ("non_field_errors", "nonFieldErrors"),
        ("unitPrice", "unitPrice"),
        ("items.0.unit_price", "items.0.unitPrice"),
        ("X-Api-Version", "X-Api-Version"),
    ],
)
def test_names_are_converted_as_djangorestframework_camel_case_converts_keys(name, camel):
    assert camel_case(name) == camel


# --- non-field errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "payload", "expected"),
    [
        ("unchanged", order(customer_name="nobody"), ("non_field_errors", "#", "body")),
        ("camel", order(customer_name="nobody"), ("nonFieldErrors", "#", "body")),
        (
            "unchanged",
            order(shipping_address={"postal_code": "1", "country_code": "XX"}),
            ("shipping_address.non_field_errors", "#/shipping_address", "body"),
        ),
        (
            "camel",
            order(shipping_address={"postal_code": "1", "country_code": "XX"}),
            ("shippingAddress.nonFieldErrors", "#/shippingAddress", "body"),
        ),
    ],
)
def test_non_field_errors_point_at_the_object_they_are_about(
    client, settings, case, payload, expected
):
    """DRF's ``non_field_errors`` is converted like any key, as djangorestframework-camel-case
    converts DRF's own error bodies; it names no member, so the pointer stops before it."""
    configure(settings, case=case)

    assert located(errors_of(post_json(client, "/api/fields/orders/", payload))) == [expected]


@pytest.mark.parametrize(
    ("case", "field"), [("unchanged", "general_errors"), ("camel", "generalErrors")]
)
def test_a_projects_own_non_field_errors_key(client, settings, case, field):
    configure(settings, case=case)
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "NON_FIELD_ERRORS_KEY": "general_errors",
    }

    errors = errors_of(post_json(client, "/api/fields/orders/", order(customer_name="nobody")))

    assert located(errors) == [(field, "#", "body")]


@pytest.mark.parametrize("case", CASES)
def test_a_validation_error_of_the_whole_request(client, settings, case):
    configure(settings, case=case)

    [item] = errors_of(client.post("/api/fields/refused/"))

    field = "nonFieldErrors" if case == "camel" else "non_field_errors"
    assert (item["field"], item["code"], item["pointer"], item["location"]) == (
        field,
        "closed",
        "#",
        "body",
    )


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
def test_an_item_without_a_field_is_about_the_whole_request(client, settings, style, case):
    configure(settings, style, case)

    [item] = errors_of(client.get("/api/fields/api-error-without-field/"))

    expected = {"code": "expired", "message": "The offer has expired."}
    if style == "problem":
        expected |= {"pointer": "#", "location": "body"}
    assert item == expected


def test_a_parse_error_is_about_the_whole_body(client, settings):
    configure(settings, case="camel")

    [item] = errors_of(post_json(client, "/api/fields/orders/", "{bad"))

    assert (item["field"], item["code"], item["pointer"], item["location"]) == (
        "nonFieldErrors",
        "parse_error",
        "#",
        "body",
    )


# --- pointers: escaping, and no client value ------------------------------------------------

KEYS = {
    "a/b": "#/extra_attributes/a~1b",
    "c~d": "#/extra_attributes/c~0d",
    "~1": "#/extra_attributes/~01",
    "e.f": "#/extra_attributes/e.f",
    "g h": "#/extra_attributes/g%20h",
    "100%": "#/extra_attributes/100%25",
    'say "hi"': "#/extra_attributes/say%20%22hi%22",
    "café": "#/extra_attributes/caf%C3%A9",
    "#frag": "#/extra_attributes/%23frag",
}


def test_keys_are_escaped_as_rfc_6901_says_and_encoded_for_a_uri_fragment(client, settings):
    configure(settings)
    payload = order(extra_attributes=dict.fromkeys(KEYS, "not a number"))

    errors = errors_of(post_json(client, "/api/fields/orders/", payload))

    assert [item["pointer"] for item in errors] == list(KEYS.values())
    # ``field`` keeps the key as it was sent, joined with dots as it always was.
    assert [item["field"] for item in errors] == [f"extra_attributes.{key}" for key in KEYS]
    assert all(item["pointer"].isascii() for item in errors)


def test_a_dict_fields_keys_follow_the_case_like_every_member(client, settings):
    """The client's keys are member names: djangorestframework-camel-case's parser turned
    the client's ``giftWrap`` into ``gift_wrap``, so the pointer turns it back."""
    configure(settings, case="camel")
    payload = order(extra_attributes={"gift_wrap": "x", "a/b_c": "y"})

    errors = errors_of(post_json(client, "/api/fields/orders/", payload))

    assert located(errors) == [
        ("extraAttributes.giftWrap", "#/extraAttributes/giftWrap", "body"),
        ("extraAttributes.a/bC", "#/extraAttributes/a~1bC", "body"),
    ]


HOSTILE_VALUE = "</script>~1/../%2e#@evil"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
def test_a_value_that_failed_is_never_echoed(client, settings, style, case):
    """Only names reach ``field`` and ``pointer``: a DictField's keys (the client's names
    for its members) but never the values that failed, wherever they were sent."""
    configure(settings, style, case)
    payload = order(
        extra_attributes={"size": HOSTILE_VALUE},
        gift_tags=[HOSTILE_VALUE],
        line_items=[{"product_id": HOSTILE_VALUE, "unit_price": HOSTILE_VALUE}],
    )

    body = post_json(client, "/api/fields/orders/", payload)
    query = client.get("/api/fields/query/", {"page_size": HOSTILE_VALUE})

    assert len(errors_of(body)) == 4
    assert len(errors_of(query)) == 1
    for response in (body, query):
        text = response.content.decode()
        for fragment in ("script", "evil", "%2e", "../"):
            assert fragment not in text


def test_a_key_with_more_dots_than_a_key_holds_is_taken_as_nesting(client, settings):
    """Finding dotted keys whole is bounded, so a client cannot make it slow."""
    configure(settings)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    short, long = "a" + ".a" * MAX_DOTS_IN_KEY, "b" + ".b" * (MAX_DOTS_IN_KEY + 1)
    many = "c" + ".c" * 5000
    payload = order(extra_attributes={short: "x", long: "y", many: "z"})

    errors = errors_of(post_json(client, "/api/fields/orders/", payload))

    assert [item["pointer"] for item in errors] == [
        f"#/extra_attributes/{short}",
        "#/extra_attributes/" + long.replace(".", "/"),
        "#/extra_attributes/" + many.replace(".", "/"),
    ]


# --- locations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "url", "expected"),
    [
        # A serializer given request.query_params validates the query string.
        ("camel", "/api/fields/query/?page_size=0", [("pageSize", "#/pageSize", "query")]),
        # Known from the serializer's data, so a parameter left out is the query's too.
        ("unchanged", "/api/fields/query/", [("page_size", "#/page_size", "query")]),
        # A copy of the query string: its origin is lost, the names of the request tell.
        (
            "unchanged",
            "/api/fields/copied-query/?page_size=0",
            [("page_size", "#/page_size", "query")],
        ),
    ],
)
def test_a_serializer_of_the_query_string(client, settings, case, url, expected):
    configure(settings, case=case)

    assert located(errors_of(client.get(url))) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("style", STYLES)
def test_django_filter_errors_are_the_querys(client, settings, style):
    configure(settings, style)

    errors = errors_of(client.get("/api/fields/wallets/?balance=lots&owner=ada"))

    assert [(item["field"], item["code"]) for item in errors] == [("balance", "invalid")]
    if style == "problem":
        assert located(errors) == [("balance", "#/balance", "query")]


@pytest.mark.parametrize(
    ("case", "method", "url", "expected"),
    [
        # A serializer of the view's kwargs.
        ("camel", "get", "/api/fields/folders/x1/", ("folderId", "#/folderId", "path")),
        # A ValidationError naming a URL argument.
        (
            "unchanged",
            "get",
            "/api/fields/checked-folders/x1/",
            ("folder_id", "#/folder_id", "path"),
        ),
        # A body field of the same name, validated by a serializer of the body.
        (
            "unchanged",
            "post",
            "/api/fields/checked-folders/f1/",
            ("folder_id", "#/folder_id", "body"),
        ),
    ],
)
def test_url_arguments_are_the_paths(client, settings, case, method, url, expected):
    configure(settings, case=case)

    response = getattr(client, method)(url, {"folder_id": "zz"}, content_type="application/json")

    assert located(errors_of(response)) == [expected]


@pytest.mark.parametrize(
    "url", ["/api/fields/django-validation/", "/api/fields/async-django-validation/"]
)
@pytest.mark.parametrize("case", CASES)
def test_djangos_validation_error(client, settings, url, case):
    configure(settings, case=case)

    errors = errors_of(client.get(url))

    if case == "camel":
        assert located(errors) == [
            ("displayName", "#/displayName", "body"),
            ("nonFieldErrors", "#", "body"),
        ]
    else:
        assert located(errors) == [
            ("display_name", "#/display_name", "body"),
            ("non_field_errors", "#", "body"),
        ]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
async def test_djangos_validation_error_through_the_async_client(
    async_client, settings, style, case
):
    configure(settings, style, case)

    errors = errors_of(await async_client.get("/api/fields/async-django-validation/"))

    assert errors[0]["field"] == ("displayName" if case == "camel" else "display_name")


@pytest.mark.parametrize(
    ("url", "sort_location"),
    [("/api/fields/api-error/?sort_order=x", "query"), ("/api/fields/api-error/", "body")],
)
@pytest.mark.parametrize("case", CASES)
def test_api_error_items_keep_their_location_or_get_one(client, settings, url, sort_location, case):
    configure(settings, case=case)

    header, sort = errors_of(client.get(url))

    assert header == {**HEADER_ERROR, "pointer": "#/X-Api-Version"}
    assert list(header) == ["field", "code", "message", "pointer", "location"]
    assert sort["field"] == ("sortOrder" if case == "camel" else "sort_order")
    assert sort["location"] == sort_location
    # The exception's own items are not changed by the conversion.
    assert SORT_ERROR == {
        "field": "sort_order",
        "code": "invalid",
        "message": "Sort by name or date.",
    }


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
async def test_api_error_items_through_the_async_client(async_client, settings, style, case):
    configure(settings, style, case)

    errors = errors_of(await async_client.get("/api/fields/async-api-error/?sort_order=x"))

    assert errors[1]["field"] == ("sortOrder" if case == "camel" else "sort_order")
    if style == "problem":
        assert [item["location"] for item in errors] == ["header", "query"]
    else:
        # The other styles send the items as they were given.
        assert errors[0] == HEADER_ERROR


def test_a_query_string_that_cannot_be_read_leaves_the_names_to_the_body(client, settings):
    """The error may be about the query string itself: reading it must not fail again."""
    configure(settings)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2

    header, sort = errors_of(client.get("/api/fields/api-error/?sort_order=x&b=1&c=2"))

    assert (header["location"], sort["location"]) == ("header", "body")


@pytest.mark.parametrize("location", ["Body", "cookie", "", 1])
def test_an_unknown_location_is_refused_where_it_is_written(location):
    with pytest.raises(ValueError, match="is not one of body, query, path, header"):
        api_errors.InvalidParameter(errors=[{**SORT_ERROR, "location": location}])


def test_every_location_can_be_given():
    items = [{**SORT_ERROR, "location": location} for location in Location.ALL]
    assert api_errors.InvalidParameter(errors=items).errors == items


@pytest.mark.parametrize(
    ("case", "method", "url", "payload", "expected"),
    [
        # The value of a field broke its conversion (OverflowError): the body's.
        (
            "camel",
            "post",
            "/api/fields/orders/",
            '{"customer_name": "A", "shipping_address": {"postal_code": "1", "country_code": "FR"},'
            ' "line_items": [], "unit_count": 1e999}',
            ("unitCount", "#/unitCount", "body"),
        ),
        # The same in a serializer of the query string (ValueError).
        (
            "unchanged",
            "get",
            "/api/fields/query/?page_size=1&max_units=many",
            None,
            ("max_units", "#/max_units", "query"),
        ),
    ],
)
def test_client_input_400s_say_where_the_value_came_from(
    client, settings, case, method, url, payload, expected
):
    configure(settings, case=case)

    if payload is None:
        response = client.get(url)
    else:
        response = client.post(url, payload, content_type="application/json")

    [item] = errors_of(response)
    assert (item["field"], item["pointer"], item["location"]) == expected
    assert item["code"] == "invalid"


# --- a style of one's own, the schema and the page ------------------------------------------


def test_a_style_of_ones_own_gets_the_paths_in_the_case(client, settings):
    settings.API_ERRORS = {"STYLE": "tests.styles.GoogleStyle", "FIELD_NAME_CASE": "camel"}

    response = post_json(client, "/api/fields/orders/", BAD_ORDER)

    [violations] = response.json()["error"]["details"]
    assert violations["@type"] == BAD_REQUEST
    assert [item["field"] for item in violations["fieldViolations"]] == FIELDS["camel"]


def schema_for(**api_errors_settings):
    with override_settings(API_ERRORS=api_errors_settings):
        schema = SchemaGenerator(urlconf="tests.urls_openapi").get_schema(public=True)
    return json.loads(json.dumps(schema, default=str))


def documented_400(schema, media_type):
    return schema["paths"]["/api/items/{item_id}/"]["post"]["responses"]["400"]["content"][
        media_type
    ]


@pytest.mark.parametrize("case", CASES)
def test_the_problem_schema_documents_pointer_and_location(case):
    schema = schema_for(STYLE="problem", FIELD_NAME_CASE=case)
    validate(schema)
    media = documented_400(schema, "application/problem+json")
    item = media["schema"]["properties"]["errors"]["items"]

    assert item["required"] == ["field", "code", "message", "pointer", "location"]
    assert item["properties"]["location"]["enum"] == ["body", "query", "path", "header"]
    pointer = item["properties"]["pointer"]
    assert (pointer["type"], pointer["format"]) == ("string", "uri-reference")
    camel = case == "camel"
    expected = {
        "field": "items.1.unitPrice" if camel else "items.1.unit_price",
        "code": "invalid",
        "message": "A valid number is required.",
        "pointer": "#/items/1/unitPrice" if camel else "#/items/1/unit_price",
        "location": "body",
    }
    assert media["example"]["errors"] == [expected] == [item["example"]]
    assert pointer["example"] == expected["pointer"]


@pytest.mark.parametrize("style", ["status", "success"])
def test_the_other_schemas_document_the_three_keys_in_the_case(style):
    schema = schema_for(STYLE=style, FIELD_NAME_CASE="camel")
    validate(schema)
    media = documented_400(schema, "application/json")

    assert list(media["schema"]["properties"]["errors"]["items"]["properties"]) == [
        "field",
        "code",
        "message",
    ]
    assert media["example"]["errors"] == [
        {"field": "items.1.unitPrice", "code": "invalid", "message": "A valid number is required."}
    ]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("style", STYLES)
def test_the_pages_example_is_what_the_example_endpoint_sends(client, style, case):
    with override_settings(API_ERRORS={"STYLE": style, "FIELD_NAME_CASE": case}):
        doc = describe_errors()
        page = render_html(doc)
        sent = client.get(f"/api/examples/errors/{doc.example.code}/")
    [item] = doc.example.body["errors"]

    assert sent.json() == doc.example.body
    assert item["field"] == ("items.1.unitPrice" if case == "camel" else "items.1.unit_price")
    assert item["field"] in page
    fields = {field.name: field.description for field in doc.fields}
    if style == "problem":
        assert item["pointer"] == "#/" + item["field"].replace(".", "/")
        assert "`pointer` is a JSON Pointer" in fields["errors"]
    else:
        assert set(item) == {"field", "code", "message"}
        assert "pointer" not in fields["errors"]


def test_other_codes_examples_carry_no_field_errors(client):
    body = client.get("/api/examples/errors/68300007/").json()
    assert "errors" not in body
