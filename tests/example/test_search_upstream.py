"""The example's search through a real search service: ``EXAMPLE_SEARCH_URL`` names it.

The service is a local server that records what it receives; the example's own settings,
loaded under that variable, put its host on ``OUTGOING_CORRELATION_HOSTS``.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from example_project.drive import search
from example_project.drive.management.commands.seed_demo import DEMO_KEY
from example_project.drive.models import ApiKey
from tests.example.support import data_of, error_of, free_port
from tests.recording_server import recording_server, without_proxies

pytestmark = pytest.mark.urls("example_project.urls")

ID = "abc-123"
RESULTS = [{"id": 7, "name": "readme.txt", "kind": "file", "parent": 1}]


@pytest.fixture(scope="module")
def search_service():
    with recording_server() as server:
        server.search_results = RESULTS
        yield server


@pytest.fixture
def searching(example_settings, search_service, monkeypatch, style):
    """``searching(url, **api_errors)``: the example's settings with ``EXAMPLE_SEARCH_URL=url``,
    in ``style``, and ``api_errors`` over its ``API_ERRORS``."""
    without_proxies(monkeypatch)
    search_service.received.clear()
    overrides = []

    def use(url, **api_errors):
        example = example_settings(EXAMPLE_SEARCH_URL=url)
        override = override_settings(
            EXAMPLE_SEARCH_URL=example["EXAMPLE_SEARCH_URL"],
            API_ERRORS={**example["API_ERRORS"], "STYLE": style, **api_errors},
        )
        override.enable()
        overrides.append(override)

    yield use
    for override in reversed(overrides):
        override.disable()


def test_the_example_allows_only_the_search_services_host(example_settings):
    assert "OUTGOING_CORRELATION_HOSTS" not in example_settings()["API_ERRORS"]
    example = example_settings(EXAMPLE_SEARCH_URL="http://Search.internal:9200/search")
    assert example["API_ERRORS"]["OUTGOING_CORRELATION_HOSTS"] == ["search.internal"]
    example = example_settings(EXAMPLE_SEARCH_URL="http://[::1]:9200/search")
    assert example["API_ERRORS"]["OUTGOING_CORRELATION_HOSTS"] == ["[::1]"]


def test_a_search_sends_the_requests_correlation_id(api, search_service, searching, style):
    searching(search_service.url("/search"))
    response = api.get("/api/search/", data={"q": "read"}, HTTP_X_CORRELATION_ID=ID)
    assert data_of(response, style) == {"query": "read", "results": RESULTS}
    assert response.headers["X-Correlation-ID"] == ID
    received = search_service.only()
    assert received.path == "/search?q=read"
    assert received.header("X-Correlation-ID") == ID


def test_a_service_on_another_host_does_not_receive_it(api, search_service, searching, style):
    searching(search_service.url("/search"), OUTGOING_CORRELATION_HOSTS=[])
    response = api.get("/api/search/", data={"q": "read"}, HTTP_X_CORRELATION_ID=ID)
    assert data_of(response, style)["results"] == RESULTS
    assert search_service.only().header("X-Correlation-ID") is None


@pytest.mark.parametrize("path", ["/status/503", "/status/404", "/slow?s=1", "/echo"])
def test_a_failing_service_is_the_search_failure(
    api, search_service, searching, style, expected, monkeypatch, path
):
    monkeypatch.setattr(search, "SEARCH_TIMEOUT", 0.2)
    searching(search_service.url(path))
    response = api.get("/api/search/", data={"q": "read"}, HTTP_X_CORRELATION_ID=ID)
    assert error_of(response, style) == expected["search_failure"]
    assert response.headers["X-Correlation-ID"] == ID
    assert search_service.only().header("X-Correlation-ID") == ID
    text = response.content.decode()
    for leak in ("127.0.0.1", str(search_service.port), "503", "Timeout", "Traceback"):
        assert leak not in text
    # A failed search is refunded, as with the stand-in.
    assert ApiKey.objects.get(key=DEMO_KEY).balance == 100


def test_a_service_that_refuses_connections_is_the_search_failure(api, searching, style, expected):
    searching(f"http://127.0.0.1:{free_port()}/search")
    response = api.get("/api/search/", data={"q": "read"})
    assert error_of(response, style) == expected["search_failure"]
