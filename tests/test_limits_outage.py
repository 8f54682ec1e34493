"""A limits store that hangs: every call is bounded, the outage is decided at once while
the breaker is open, logged once, and counting resumes when the store answers again.

The store is a redis-server of the test's own, frozen with SIGSTOP (a hung server, not a
refused connection), on the redis-py installed and on the lowest one pyproject.toml
admits (``make`` puts it in ``.redis-lowest``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.example.support import free_port, stop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
LOWEST = ROOT / ".redis-lowest"
DJANGO_REDIS = "django.core.cache.backends.redis.RedisCache"
DJANGO_REDIS_PACKAGE = "django_redis.cache.RedisCache"
# LIMITS_TIMEOUT is 0.6 s here: a request that asks the hung store waits that long, one
# decided at once takes far less, even on a loaded machine.
TIMEOUT = 0.6
WAITED = 0.5
BOUNDED = 1.5
AT_ONCE = 0.3


def lowest_admitted_redis():
    """The lower bound of the ``redis`` extra (tomllib is not in Python 3.10)."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    return re.search(r'^redis = \["redis>=([\d.]+)"\]$', pyproject, re.M).group(1)


def test_the_lowest_redis_pin_is_pyprojects_lower_bound():
    pin = re.search(r"^REDIS_LOWEST_PIN := redis==([\d.]+)$", (ROOT / "Makefile").read_text(), re.M)
    assert pin.group(1).startswith(lowest_admitted_redis())


@pytest.fixture
def frozen_redis(tmp_path):
    """A redis-server on a free port; ``.freeze()`` and ``.thaw()`` send SIGSTOP/SIGCONT."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        @staticmethod
        def freeze():
            os.kill(process.pid, signal.SIGSTOP)

        @staticmethod
        def thaw():
            os.kill(process.pid, signal.SIGCONT)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if (
            subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
            ).stdout.strip()
            == "PONG"
        ):
            break
        time.sleep(0.05)
    try:
        yield Server
    finally:
        os.kill(process.pid, signal.SIGCONT)
        stop(process)


class Probe:
    """tests/outage_probe.py in a child process, fed one batch at a time."""

    def __init__(self, url, backend, mode, pythonpath):
        env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
        env["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(ROOT)])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.outage_probe", url, backend, mode],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.started = self.read()

    def read(self):
        line = self.process.stdout.readline()
        assert line, "the probe exited"
        return json.loads(line)

    def batch(self, name, count):
        self.process.stdin.write(f"batch {name} {count}\n")
        self.process.stdin.flush()
        return self.read()

    def close(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait(timeout=10)


REDIS_PY = [
    pytest.param([], id="installed-redis"),
    pytest.param([str(LOWEST)], id="lowest-redis"),
]


def probe_for(frozen_redis, backend, mode, pythonpath):
    if pythonpath and not LOWEST.exists():
        if os.environ.get("CI"):
            pytest.fail("the lowest redis-py is not installed: run make")
        pytest.skip("the lowest redis-py is not installed (make .redis-lowest/.installed)")
    probe = Probe(frozen_redis.url, backend, mode, pythonpath)
    if pythonpath:
        assert probe.started["redis"] == lowest_admitted_redis() + ".0"
    return probe


def assert_counting_resumed(after):
    """The rate is 2 a minute and one request was counted before the outage, so counting
    where it stood refuses the second request now. The first may be refused too: the
    increment that timed out reaches the server when it wakes, and counts."""
    statuses = [r["status"] for r in after["results"]]
    assert statuses in ([200, 429], [429, 429])


def levels(batch):
    return [(record["level"], record["traceback"]) for record in batch["logged"]]


@pytest.mark.parametrize("pythonpath", REDIS_PY)
@pytest.mark.parametrize("backend", [DJANGO_REDIS, DJANGO_REDIS_PACKAGE])
def test_a_hung_store_fails_closed_fast_logs_once_and_recovers(frozen_redis, backend, pythonpath):
    probe = probe_for(frozen_redis, backend, "closed", pythonpath)
    try:
        before = probe.batch("before", 1)
        frozen_redis.freeze()
        outage = probe.batch("outage", 6)
        frozen_redis.thaw()
        time.sleep(1.1)  # LIMITS_RETRY_INTERVAL
        after = probe.batch("after", 2)
    finally:
        probe.close()

    assert [r["status"] for r in before["results"]] == [200]
    statuses = [r["status"] for r in outage["results"]]
    assert statuses == [503] * 6
    assert all(r["body"]["error_code"] == 68300008 for r in outage["results"])
    assert all(r["retry_after"] == "30" for r in outage["results"])
    seconds = [r["seconds"] for r in outage["results"]]
    # The first asks the frozen store and gives up after LIMITS_TIMEOUT; the breaker is
    # then open, so the others are answered without asking.
    assert WAITED < seconds[0] < BOUNDED
    assert all(s < AT_ONCE for s in seconds[1:]), seconds
    # One warning for the outage, then one 503 line per response and no traceback.
    assert levels(outage)[0] == ("WARNING", False)
    assert "unavailable" in outage["logged"][0]["message"]
    assert "outage-0" in outage["logged"][0]["message"]
    assert levels(outage)[1:] == [("ERROR", False)] * 6
    assert_counting_resumed(after)
    assert levels(after)[0] == ("INFO", False)
    assert "answers again" in after["logged"][0]["message"]


@pytest.mark.parametrize("pythonpath", REDIS_PY)
def test_a_hung_store_fails_open_admitting_without_a_record_per_request(frozen_redis, pythonpath):
    probe = probe_for(frozen_redis, DJANGO_REDIS, "open", pythonpath)
    try:
        probe.batch("before", 1)
        frozen_redis.freeze()
        outage = probe.batch("outage", 6)
        frozen_redis.thaw()
        time.sleep(1.1)
        after = probe.batch("after", 2)
    finally:
        probe.close()

    assert [r["status"] for r in outage["results"]] == [200] * 6
    seconds = [r["seconds"] for r in outage["results"]]
    assert seconds[0] < BOUNDED
    assert all(s < AT_ONCE for s in seconds[1:]), seconds
    assert levels(outage) == [("WARNING", False)]
    assert_counting_resumed(after)
    assert levels(after)[0] == ("INFO", False)


@pytest.mark.urls("tests.urls_limits")
@pytest.mark.parametrize("fail_open", [True, False])
def test_a_bug_in_the_store_is_a_server_error_not_an_outage(
    client, settings, monkeypatch, fail_open
):
    """Only an unreachable or slow store is an outage: fail-open must not hide a bug."""
    from django.core.cache.backends.locmem import LocMemCache

    settings.API_ERRORS = {"LIMITS_FAIL_OPEN": fail_open}

    def broken_add(self, *args, **kwargs):
        raise TypeError("a bug, not an outage")

    monkeypatch.setattr(LocMemCache, "add", broken_add)
    response = client.get("/api/limits/plain/rate/")
    assert response.status_code == 500
    assert response.json()["error_code"] == 68300008


@pytest.mark.urls("tests.urls_limits")
@pytest.mark.parametrize("backend", [DJANGO_REDIS, DJANGO_REDIS_PACKAGE])
def test_the_breaker_in_this_process(client, settings, caplog, frozen_redis, backend):
    """The same story in the test's own process: bounded, then at once, then one probe."""
    import logging

    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": frozen_redis.url}}
    settings.API_ERRORS = {"LIMITS_TIMEOUT": TIMEOUT, "LIMITS_RETRY_INTERVAL": 1}
    caplog.set_level(logging.INFO, logger="api_errors")

    def timed():
        started = time.monotonic()
        response = client.get("/api/limits/plain/rate/")
        return response.status_code, time.monotonic() - started

    assert timed()[0] == 200
    frozen_redis.freeze()
    try:
        first = timed()  # asks the frozen store, gives up after LIMITS_TIMEOUT
        refused = timed()  # the breaker is open: decided at once
        time.sleep(1.1)
        probe = timed()  # the interval is over: one request asks the store again
    finally:
        frozen_redis.thaw()
    time.sleep(1.1)
    back = timed()

    assert first[0] == refused[0] == probe[0] == 503
    assert WAITED < first[1] < BOUNDED
    assert refused[1] < AT_ONCE
    assert WAITED < probe[1] < BOUNDED
    assert back[0] in (200, 429)
    store_records = [r for r in caplog.records if "limits store" in r.getMessage()]
    assert [r.levelname for r in store_records] == ["WARNING", "INFO"]
