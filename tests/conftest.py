import time

import pytest
from django.test import AsyncClient, Client
from django_ratelimit import core as ratelimit_core

# Loaded here rather than by its entry point (blocked in pyproject.toml's addopts), once
# coverage has started.
pytest_plugins = ["api_errors.testing.plugin"]


@pytest.fixture
def client():
    """A test client that returns 5xx responses instead of re-raising the view's exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def async_client():
    return AsyncClient(raise_request_exception=False)


class StoppedClock:
    """The ``time`` module as django-ratelimit's window arithmetic sees it: stopped at the
    moment the test began."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture(autouse=True)
def steady_rate_windows(request, monkeypatch):
    """Rate windows do not end in the middle of a test: the tests count a few calls into a
    window (of a minute, or ten seconds), and a window edge among them would admit a call
    the test expects refused. Tests about windows ending are marked ``real_clock``; tests
    with a ``clock`` fixture of their own move time themselves."""
    if request.node.get_closest_marker("real_clock") or "clock" in request.fixturenames:
        return
    monkeypatch.setattr(ratelimit_core, "time", StoppedClock(time.time()))
