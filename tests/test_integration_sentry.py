"""The Sentry integration against the real sentry-sdk, its events caught by a transport.

sentry-sdk's Django integration patches Django's handlers, middleware loading and signals
for the rest of the process, and cannot be undone. The tests that need it are in
``tests/sentry_real_sdk.py`` (not collected with the suite), which
``test_with_sentrys_own_integrations`` runs in a process of its own; the tests here use a
client with no integration, which patches nothing.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import sentry_sdk

from api_errors.integrations.base import resolve_integration
from api_errors.integrations.sentry import (
    CORRELATION_ID_TAG,
    ERROR_CODE_TAG,
    SentryIntegration,
    _tag_values,
)
from tests.sentry_support import (
    HEADER,
    CapturingTransport,
    close_sentry,
    error,
    init_sentry,
    isolation_tags,
    with_sentry,
)

ROOT = Path(__file__).resolve().parent.parent
REAL_SDK_TESTS = Path(__file__).with_name("sentry_real_sdk.py")


# In this process: a client with no integration, so nothing of Django is patched.


@pytest.fixture
def transport():
    transport = CapturingTransport()
    init_sentry(transport, [])
    scope = sentry_sdk.get_isolation_scope()
    before = dict(scope._tags)
    yield transport
    scope._tags.clear()
    scope._tags.update(before)
    close_sentry()


def test_the_short_name_resolves_to_the_integration():
    assert isinstance(resolve_integration("sentry"), SentryIntegration)


def test_with_sentrys_own_integrations():
    """Runs ``tests/sentry_real_sdk.py`` with sentry-sdk's Django and Celery integrations."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(REAL_SDK_TESTS),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None, output
    assert int(passed.group(1)) == 6, output
    assert "skipped" not in output, output


def test_bind_tags_the_isolation_scope_and_unbind_puts_back_what_was_there(transport):
    scope = sentry_sdk.get_isolation_scope()
    scope.set_tag(CORRELATION_ID_TAG, "outer")
    scope.set_tag(ERROR_CODE_TAG, "40400")
    integration = SentryIntegration()
    state = integration.bind("inner")
    sentry_sdk.capture_message("while bound")
    assert isolation_tags()[CORRELATION_ID_TAG] == "inner"
    assert ERROR_CODE_TAG not in isolation_tags()
    integration.unbind(state)
    assert isolation_tags()[CORRELATION_ID_TAG] == "outer"
    assert isolation_tags()[ERROR_CODE_TAG] == "40400"
    (event,) = transport.events()
    assert event["tags"][CORRELATION_ID_TAG] == "inner"
    assert ERROR_CODE_TAG not in event["tags"]


def test_unbind_removes_the_tags_a_bind_added(transport):
    integration = SentryIntegration()
    state = integration.bind("only-one")
    integration.error_resolved(error(), None, "only-one")
    sentry_sdk.capture_message("after the error")
    integration.unbind(state)
    assert CORRELATION_ID_TAG not in isolation_tags()
    assert ERROR_CODE_TAG not in isolation_tags()
    (event,) = transport.events()
    assert event["tags"] == {CORRELATION_ID_TAG: "only-one", ERROR_CODE_TAG: "50000"}


def test_an_error_without_a_correlation_id_tags_only_its_code(transport):
    SentryIntegration().error_resolved(error(code="E_TIMEOUT", status=504), None, None)
    assert isolation_tags()[ERROR_CODE_TAG] == "E_TIMEOUT"
    assert CORRELATION_ID_TAG not in isolation_tags()


@with_sentry
def test_a_request_leaves_no_tag_behind_when_no_one_forked_the_scope(client, transport):
    # No Django integration here: the process's isolation scope serves every request.
    response = client.get("/api/plain/raise/runtime/")
    assert response.status_code == 500
    assert CORRELATION_ID_TAG not in isolation_tags()
    assert ERROR_CODE_TAG not in isolation_tags()
    client.get("/api/tracing/capture-message/", headers={HEADER: "second-request"})
    (event,) = transport.events()
    assert event["tags"] == {CORRELATION_ID_TAG: "second-request"}


def test_without_an_active_client_nothing_is_tagged():
    integration = SentryIntegration()
    state = integration.bind("unused")
    integration.error_resolved(error(), None, "unused")
    integration.unbind(state)
    assert state is None
    assert CORRELATION_ID_TAG not in isolation_tags()
    assert ERROR_CODE_TAG not in isolation_tags()


def test_a_scope_without_readable_tags_counts_as_having_none():
    assert _tag_values(SimpleNamespace()) == {CORRELATION_ID_TAG: None, ERROR_CODE_TAG: None}
