"""Contract mode's checks on real responses, and the test clients it listens to.

``tests/test_testing_plugin.py`` runs it through pytest; here each piece is asked directly.
"""

import sys

import pytest
from django.http import HttpResponse
from django.test import AsyncClient, Client, override_settings
from drf_spectacular.settings import spectacular_settings
from rest_framework.test import APIClient

from api_errors.testing import clients
from api_errors.testing.contract import Contract, ContractChecker, Operation
from api_errors.testing.schemas import validator

pytestmark = [
    pytest.mark.urls("tests.urls_contract"),
    # These tests receive undocumented answers on purpose, to ask the checker about them.
    pytest.mark.api_errors_contract(False),
]

# A schema written by hand: what drf-spectacular never emits (references to responses and
# headers, a default response), read the same way.
HAND_WRITTEN = {
    "openapi": "3.0.3",
    "paths": {
        "/api/things/{thing_id}/": {
            "get": {
                "operationId": "things_by_hand",
                "responses": {
                    "200": {"$ref": "#/components/responses/Thing"},
                    "default": {"description": "Anything else, with no body"},
                },
            }
        }
    },
    "components": {
        "responses": {
            "Thing": {
                "description": "A thing",
                "headers": {"X-Thing-Version": {"$ref": "#/components/headers/Version"}},
                "content": {"application/*": {"schema": {"$ref": "#/components/schemas/Thing"}}},
            }
        },
        "headers": {"Version": {"required": True, "schema": {"type": "string"}}},
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            }
        },
    },
}


@pytest.fixture
def checker():
    return ContractChecker()


def problems(document, response):
    contract = Contract(document)
    operation = contract.operation(response.wsgi_request.method, response.wsgi_request.path)
    return contract.problems(operation, response)


def test_a_documented_response_passes(client, checker):
    assert checker.check(client.get("/api/things/7/")) is None


def test_drf_api_client_responses_are_read_too(checker):
    assert checker.check(APIClient().get("/api/things/7/?answer=teapot")) is not None


async def test_the_async_clients_request(checker):
    response = await AsyncClient().get("/api/things/7/?answer=teapot")

    message = checker.check(response)

    assert message.startswith("things_retrieve (GET /api/things/{thing_id}/) answered")


def test_an_undocumented_status_names_the_operation_and_what_it_documents(client, checker):
    message = checker.check(client.get("/api/things/7/?answer=teapot"))

    assert message.splitlines()[:3] == [
        "things_retrieve (GET /api/things/{thing_id}/) answered what its OpenAPI schema does "
        "not document:",
        "  - HTTP 418 is not documented (documented: 200, 404, 405, 406, 500)",
        "Response: HTTP 418",
    ]
    assert message.endswith('Body:\n{\n  "name": "tea"\n}')


def test_a_body_is_read_as_openapi_3_0_has_it(client, checker):
    # nickname is nullable; secret is write-only, so a response need not carry it.
    assert client.get("/api/things/7/").json() == {"name": "lamp", "size": 3, "nickname": None}
    message = checker.check(client.get("/api/things/7/?answer=wrong-body"))

    assert "  - (the body): 'size' is a required property\n  - name: 5 is not of type" in message


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("no-header", "the required header X-Thing-Version is missing"),
        ("text", "Content-Type text/plain is not documented (application/json)"),
        ("not-json", "the body is not JSON (Expecting property name enclosed in double quotes"),
    ],
)
def test_what_does_not_match(client, checker, answer, problem):
    assert f"  - {problem}" in checker.check(client.get(f"/api/things/7/?answer={answer}"))


def test_a_streamed_body_is_not_read(client, checker):
    assert checker.check(client.get("/api/things/7/?answer=streamed")) is None


def test_a_literal_path_wins_over_a_template(client, checker):
    assert checker.check(client.get("/api/things/special/")) is None


def test_a_status_range(client, checker):
    assert checker.check(client.get("/api/client-errors/")) is None


def test_a_body_where_the_schema_says_there_is_none(client, checker):
    message = checker.check(client.get("/api/undocumented-body/"))

    assert "  - the schema documents no body, yet the response has one" in message


def test_what_matches_no_operation_is_not_checked(client, checker):
    assert checker.check(client.get("/api/plain/teapot/")) is None
    assert checker.check(client.delete("/api/things/special/")) is None
    assert checker.check(client.get("/nowhere/")) is None


def test_references_and_a_default_response(client):
    documented = client.get("/api/things/7/")
    assert problems(HAND_WRITTEN, documented) == []
    assert problems(HAND_WRITTEN, client.get("/api/things/7/?answer=no-header")) == [
        "the required header X-Thing-Version is missing"
    ]
    # The default response documents no body: an empty one is what it says.
    assert problems(HAND_WRITTEN, client.get("/api/things/7/?answer=empty")) == []


def test_openapi_3_1_bodies_are_json_schema_2020_12(client):
    document = {**HAND_WRITTEN, "openapi": "3.1.0"}
    thing = document["components"]["schemas"]["Thing"]
    document["components"] = {
        **document["components"],
        "schemas": {"Thing": {**thing, "properties": {"name": {"type": ["string", "null"]}}}},
    }

    assert problems(document, client.get("/api/things/7/")) == []
    assert problems(document, client.get("/api/things/7/?answer=wrong-body")) == [
        "name: 5 is not of type 'string', 'null'"
    ]


def test_the_schema_is_generated_once_per_urlconf_and_settings(client, checker, monkeypatch):
    first = checker.contract_for("tests.urls_contract")

    assert checker.contract_for("tests.urls_contract") is first
    with override_settings(API_ERRORS={"STYLE": "problem"}):
        problem = checker.contract_for("tests.urls_contract")
    assert problem is not first
    monkeypatch.setattr(spectacular_settings, "COMPONENT_SPLIT_REQUEST", True)
    assert checker.contract_for("tests.urls_contract") is not first
    assert checker.contract_for("tests.urls") is not first


def test_a_response_the_test_client_did_not_make_is_not_checked(checker):
    assert checker.check(HttpResponse(status=418)) is None


@pytest.fixture
def django_clients(monkeypatch):
    """The clients module with no listener and the test clients as Django wrote them, also
    when this run's contract mode listens; its own state comes back after the test."""
    own = [clients._originals.get(kind, kind.request) for kind in (Client, AsyncClient)]
    monkeypatch.setattr(clients, "_listeners", [])
    monkeypatch.setattr(clients, "_originals", {})
    monkeypatch.setattr(Client, "request", own[0])
    monkeypatch.setattr(AsyncClient, "request", own[1])
    return own


def test_the_innermost_listener_hears_and_the_clients_are_restored(client, django_clients):
    outer, inner = [], []
    clients.listen(outer.append)
    clients.listen(inner.append)
    try:
        first = client.get("/api/things/7/")
        clients.stop_listening(inner.append)
        second = client.get("/api/things/7/", follow=True)
    finally:
        clients.stop_listening(outer.append)

    assert (inner, outer) == ([first], [second])
    assert [Client.request, AsyncClient.request] == django_clients


def test_bodies_need_jsonschema(monkeypatch):
    monkeypatch.setitem(sys.modules, "jsonschema", None)

    with pytest.raises(ImportError, match=r"install api-errors\[testing\]"):
        validator({"type": "object"})


def test_an_operation_without_an_id_is_named_by_method_and_path():
    operation = Operation("get", "/api/things/{thing_id}/", {})

    assert operation.name == "(no operationId) (GET /api/things/{thing_id}/)"


def test_problems_are_listed_by_where_they_are():
    check = validator(
        {
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string"}},
                # A property of that name, beside the keyword on its own schema.
                "nullable": {"type": "integer", "nullable": True},
            },
        }
    )

    assert check({"tags": ["a", 1], "nullable": None}) == ["tags/1: 1 is not of type 'string'"]
    assert check({"tags": [2], "nullable": "x"}) == [
        "nullable: 'x' is not valid under any of the given schemas",
        "tags/0: 2 is not of type 'string'",
    ]
