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


class MovableClock(StoppedClock):
    """A stopped clock that the test moves by setting ``now``."""


@pytest.fixture
def clock(monkeypatch):
    """One clock, from the start of the current second, for django-ratelimit's windows and
    for the sliding logs and GCRA cells kept in process (on caches other than Redis, whose
    scripts read the server's clock)."""
    from api_errors.limits import algorithms

    moving = MovableClock(float(int(time.time())))
    monkeypatch.setattr(ratelimit_core, "time", moving)
    monkeypatch.setattr(algorithms, "time", moving)
    return moving


@pytest.fixture(autouse=True)
def steady_rate_windows(request, monkeypatch):
    """Rate windows do not end in the middle of a test: the tests count a few calls into a
    window (of a minute, or ten seconds), and a window edge among them would admit a call
    the test expects refused. Tests about windows ending are marked ``real_clock``; tests
    with a ``clock`` fixture of their own move time themselves."""
    if request.node.get_closest_marker("real_clock") or "clock" in request.fixturenames:
        return
    monkeypatch.setattr(ratelimit_core, "time", StoppedClock(time.time()))
