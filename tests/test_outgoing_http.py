"""Outgoing HTTP calls carry the correlation id to allowed hosts only, with each library.

Every call goes to a real server on 127.0.0.1 that records the headers it received; the
same server is ``localhost`` to a client, which is another host to the allow-list.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import httpx
import pytest
from django.test import override_settings
from urllib3.util import Retry

from api_errors.correlation import reset_correlation_id, set_correlation_id
from api_errors.integrations.outgoing import correlation_header
from api_errors.integrations.outgoing_httpx import (
    add_correlation_header,
    correlated_async_client,
    correlated_client,
)
from api_errors.integrations.outgoing_requests import CorrelationAdapter, correlated_session
from api_errors.integrations.outgoing_urllib3 import CorrelationPoolManager
from tests.doc_pages import python_block_after
from tests.recording_server import recording_server, without_proxies

ID = "abc-123"
HEADER = "x-correlation-id"
ALLOW_LOOPBACK = {"OUTGOING_CORRELATION_HOSTS": ["127.0.0.1"]}
LIBRARIES = ["requests", "httpx", "urllib3", "httpx-async"]
VIEWS = {
    "requests": "/api/outgoing/requests/",
    "httpx": "/api/outgoing/httpx/",
    "urllib3": "/api/outgoing/urllib3/",
    "httpx-async": "/api/outgoing/httpx-async/",
}
in_the_app = pytest.mark.urls("tests.urls_outgoing")
each_library = pytest.mark.parametrize("library", LIBRARIES)


@pytest.fixture(scope="module")
def servers():
    with recording_server() as upstream, recording_server() as other:
        yield upstream, other


@pytest.fixture
def upstream(servers, monkeypatch):
    without_proxies(monkeypatch)
    for server in servers:
        server.received.clear()
    return servers[0]


@pytest.fixture
def other(servers, upstream):
    """A second server, called as ``localhost``."""
    return servers[1]


@pytest.fixture
def allowed(settings):
    """127.0.0.1 is on the allow-list."""
    settings.API_ERRORS = ALLOW_LOOPBACK


@pytest.fixture
def current_id():
    """``ID`` is current, as in a request the middleware serves."""
    token = set_correlation_id(ID)
    yield ID
    reset_correlation_id(token)


async def _get_async(url, headers):
    async with correlated_async_client(timeout=5, follow_redirects=True) as client:
        return (await client.get(url, headers=headers)).status_code


def get(library, url, headers=None):
    """``GET url`` through the library's correlated client, following redirects."""
    headers = headers or {}
    if library == "requests":
        with correlated_session() as session:
            return session.get(url, headers=headers, timeout=5).status_code
    if library == "httpx":
        with correlated_client(timeout=5, follow_redirects=True) as client:
            return client.get(url, headers=headers).status_code
    if library == "urllib3":
        with CorrelationPoolManager(timeout=5) as pool:
            return pool.request("GET", url, headers=headers).status
    return asyncio.run(_get_async(url, headers))


def redirect(server, to, status=302, host="127.0.0.1"):
    return server.url(f"/redirect?status={status}&to={quote(to, safe='')}", host=host)


def received_ids(*servers):
    return [r.header(HEADER) for server in servers for r in server.received]


# --- in a request served by the app -------------------------------------------------------


def call_through_view(client, library, url, headers=None, **params):
    """The app's view for ``library`` calls ``url``, in a request sent with ``ID``."""
    response = client.get(
        VIEWS[library], {"url": url, **params}, headers=headers or {"X-Correlation-ID": ID}
    )
    assert response.status_code == 200, response.content
    return response


@in_the_app
@each_library
def test_an_allowed_host_receives_the_requests_id(client, upstream, allowed, library):
    response = call_through_view(client, library, upstream.url("/echo"))
    assert response.headers["X-Correlation-ID"] == ID
    assert upstream.only().header(HEADER) == ID


@in_the_app
@each_library
@pytest.mark.parametrize("hosts", [[], ["localhost"], [".example.com"]])
def test_a_host_not_on_the_list_receives_nothing(client, upstream, settings, library, hosts):
    settings.API_ERRORS = {"OUTGOING_CORRELATION_HOSTS": hosts}
    call_through_view(client, library, upstream.url("/echo"))
    assert upstream.only().header(HEADER) is None


@in_the_app
@each_library
def test_the_host_is_the_one_the_url_names(client, upstream, settings, library):
    settings.API_ERRORS = {"OUTGOING_CORRELATION_HOSTS": ["localhost"]}
    call_through_view(client, library, upstream.url("/echo", host="localhost"))
    assert upstream.only().header(HEADER) == ID


@in_the_app
@each_library
def test_the_callers_own_header_wins(client, upstream, allowed, library):
    call_through_view(client, library, upstream.url("/echo"), explicit="chosen-by-caller")
    assert upstream.only().header(HEADER) == "chosen-by-caller"


@in_the_app
@each_library
def test_a_custom_header_name_is_used(client, upstream, settings, library):
    settings.API_ERRORS = {**ALLOW_LOOPBACK, "CORRELATION_ID_HEADER": "X-Request-ID"}
    call_through_view(client, library, upstream.url("/echo"), headers={"X-Request-ID": ID})
    received = upstream.only()
    assert received.header("x-request-id") == ID
    assert received.header(HEADER) is None


@in_the_app
@each_library
def test_a_redirect_to_another_host_does_not_carry_it(client, upstream, other, allowed, library):
    call_through_view(client, library, redirect(upstream, other.url("/landed", host="localhost")))
    assert upstream.only().header(HEADER) == ID
    landed = other.only()
    assert landed.path == "/landed"
    assert landed.header(HEADER) is None


@in_the_app
async def test_an_async_view_sends_the_id_with_the_async_client(async_client, upstream, allowed):
    response = await async_client.get(
        VIEWS["httpx-async"], {"url": upstream.url("/echo")}, headers={"X-Correlation-ID": ID}
    )
    assert response.status_code == 200
    assert upstream.only().header(HEADER) == ID


# --- each library, with an id current -------------------------------------------------------


@each_library
def test_outside_a_request_nothing_is_sent(upstream, allowed, library):
    assert get(library, upstream.url("/echo")) == 200
    assert upstream.only().header(HEADER) is None


@each_library
def test_inside_one_the_id_is_sent(upstream, allowed, current_id, library):
    assert get(library, upstream.url("/echo")) == 200
    assert upstream.only().header(HEADER) == ID


@each_library
def test_the_callers_header_is_found_whatever_its_case(upstream, allowed, current_id, library):
    get(library, upstream.url("/echo"), {"x-CORRELATION-id": "mine"})
    assert upstream.only().header(HEADER) == "mine"


@each_library
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_no_redirect_carries_it_to_another_host(
    upstream, other, allowed, current_id, library, status
):
    get(library, redirect(upstream, other.url("/landed", host="localhost"), status))
    assert received_ids(upstream, other) == [ID, None]


@each_library
def test_each_hop_to_an_allowed_host_carries_it(upstream, other, allowed, current_id, library):
    # localhost (not allowed) -> 127.0.0.1 (allowed) -> 127.0.0.1 on another port.
    middle = redirect(upstream, other.url("/last"))
    get(library, redirect(upstream, middle, host="localhost"))
    assert received_ids(upstream, other) == [None, ID, ID]


@each_library
def test_the_callers_header_follows_redirects_as_its_other_headers_do(
    upstream, other, allowed, current_id, library
):
    target = other.url("/landed", host="localhost")
    get(library, redirect(upstream, target), {"X-Correlation-ID": "mine"})
    assert received_ids(upstream, other) == ["mine", "mine"]


@each_library
def test_settings_are_read_at_send_time(upstream, allowed, current_id, library):
    with override_settings(API_ERRORS={}):
        get(library, upstream.url("/echo"))
    get(library, upstream.url("/echo"))
    assert received_ids(upstream) == [None, ID]


# --- what each client keeps of its own configuration ---------------------------------------


def test_a_session_made_before_the_settings_change_follows_them(upstream, allowed, current_id):
    with correlated_session(max_retries=2) as session:
        assert session.get_adapter("https://x").max_retries.total == 2
        with override_settings(API_ERRORS={}):
            session.get(upstream.url("/echo"), timeout=5)
        response = session.get(upstream.url("/echo"), timeout=5)
    assert received_ids(upstream) == [None, ID]
    # What was sent carries the id; the session's own request, which redirects copy, does not.
    assert response.request.headers["X-Correlation-ID"] == ID
    assert isinstance(session.get_adapter("http://x"), CorrelationAdapter)


def test_httpx_keeps_the_callers_hooks_and_their_header(upstream, allowed, current_id):
    seen = []

    def set_own_header(request):
        seen.append(request.url.path)
        if request.url.path == "/explicit":
            request.headers["X-Correlation-ID"] = "from-hook"

    with correlated_client(event_hooks={"request": [set_own_header]}) as client:
        client.get(upstream.url("/echo"))
        client.get(upstream.url("/explicit"))
    assert seen == ["/echo", "/explicit"]
    assert received_ids(upstream) == [ID, "from-hook"]


def test_the_httpx_hook_works_on_a_client_of_your_own(upstream, other, allowed, current_id):
    hooks = {"request": [add_correlation_header]}
    with httpx.Client(event_hooks=hooks, follow_redirects=True) as client:
        client.get(redirect(upstream, other.url("/landed", host="localhost")))
    assert received_ids(upstream, other) == [ID, None]


async def test_the_async_client_drops_it_on_a_redirect_to_another_host(
    upstream, other, allowed, current_id
):
    async with correlated_async_client(follow_redirects=True) as client:
        response = await client.get(redirect(upstream, other.url("/landed", host="localhost")))
    assert response.status_code == 200
    assert received_ids(upstream, other) == [ID, None]


def test_the_pool_manager_keeps_its_headers_and_retries(upstream, other, allowed, current_id):
    retries = Retry(3, remove_headers_on_redirect=["X-Secret"])
    with CorrelationPoolManager(headers={"X-Secret": "s", "X-Kept": "k"}) as pool:
        pool.urlopen("GET", upstream.url("/echo"))
        pool.urlopen("GET", redirect(upstream, other.url("/x", host="localhost")), retries=retries)
    first, redirected = upstream.received
    assert (first.header("x-kept"), first.header(HEADER)) == ("k", ID)
    assert (redirected.header("x-secret"), redirected.header(HEADER)) == ("s", ID)
    landed = other.only()
    assert (landed.header("x-kept"), landed.header("x-secret"), landed.header(HEADER)) == (
        "k",
        None,
        None,
    )


def test_the_pool_manager_still_follows_its_retries_redirect_rules(
    upstream, other, allowed, current_id
):
    with CorrelationPoolManager() as pool:
        response = pool.request(
            "GET", redirect(upstream, other.url("/x", host="localhost")), retries=False
        )
    assert response.status == 302
    assert other.received == []


# --- the decision ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "hosts", "sent"),
    [
        ("::1", ["[::1]"], True),
        ("[::1]", ["[::1]"], True),
        ("search.internal", [".internal"], True),
        ("SEARCH.internal.", ["search.internal"], True),
        ("search.internal", ["other.internal"], False),
        (None, ["search.internal"], False),
    ],
)
def test_which_hosts_receive_the_id(settings, current_id, host, hosts, sent):
    settings.API_ERRORS = {"OUTGOING_CORRELATION_HOSTS": hosts}
    assert correlation_header(host) == (("X-Correlation-ID", ID) if sent else None)


def test_outside_a_request_no_host_receives_it(settings):
    settings.API_ERRORS = {"OUTGOING_CORRELATION_HOSTS": ["search.internal"]}
    assert correlation_header("search.internal") is None


# --- inside a Celery task -------------------------------------------------------------------


def test_a_celery_task_sends_its_id(upstream, settings):
    celery = pytest.importorskip("celery")
    from api_errors.integrations.celery import HEADER as TASK_HEADER
    from api_errors.integrations.celery import CeleryIntegration

    settings.API_ERRORS = {**ALLOW_LOOPBACK, "INTEGRATIONS": ["celery"]}
    CeleryIntegration().install()
    app = celery.Celery("tests_outgoing", broker="memory://")

    @app.task
    def call_out():
        get("requests", upstream.url("/echo"))

    call_out.apply(headers={TASK_HEADER: "task-123"})
    assert upstream.only().header(HEADER) == "task-123"


def test_the_documented_snippet_sends_the_id_to_the_host_it_allows(upstream, settings, current_id):
    """The "Outgoing HTTP calls" block of docs/integrations.md, run as written with
    ``search.internal`` pointing at the recording server."""
    source = python_block_after("docs/integrations.md", "## Outgoing HTTP calls")
    address = f"127.0.0.1:{upstream.port}"
    snippet = {}
    exec(compile(source.replace("search.internal", address), "integrations.md", "exec"), snippet)
    settings.API_ERRORS = {"OUTGOING_CORRELATION_HOSTS": ["127.0.0.1"]}
    upstream.search_results = [{"id": 1}]

    assert snippet["search"]("report") == {"results": [{"id": 1}]}
    assert asyncio.run(snippet["search_async"]("report")) == {"results": [{"id": 1}]}
    snippet["session"].get(f"http://{address}/search", timeout=5)
    snippet["own_session"].get(f"http://{address}/search", timeout=5)
    snippet["own_client"].get(f"http://{address}/search")
    snippet["pool"].request("GET", f"http://{address}/search")
    assert [r.header(HEADER) for r in upstream.received] == [ID] * 6
    for name in ("session", "own_session", "own_client"):
        snippet[name].close()
    asyncio.run(snippet["own_async_client"].aclose())
    snippet["pool"].clear()
