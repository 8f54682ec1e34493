"""The example served for real, in subprocesses: runserver in each style, PostgreSQL, gunicorn."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version

import pytest
from django_ratelimit import core as ratelimit_core

from example_project.drive.management.commands.seed_demo import DEMO_KEY
from tests.example.support import (
    SEARCH_POLICY,
    SERVER_START_TIMEOUT,
    STYLES,
    bearer,
    copy_db,
    envelope_error,
    example_env,
    example_server,
    fetch,
    manage,
    rate_limit_fields,
)
from tests.services import require_postgres, require_redis

# Their windows are the servers': the real clock's.
pytestmark = [pytest.mark.slow, pytest.mark.real_clock]


def test_example_runs_on_postgresql(tmp_path):
    """``DATABASE_URL``: migrate, seed and serve a paid search from a database of its own."""
    require_postgres()
    import psycopg

    name = f"example_{uuid.uuid4().hex[:12]}"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=test"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        env = example_env("status", tmp_path / "unused.sqlite3")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        for args in (["migrate", "--noinput"], ["seed_demo"], ["seed_demo"]):
            result = manage(*args, env=env)
            assert result.returncode == 0, result.stderr
        script = (
            "from django.test import Client\n"
            "from example_project.drive.models import ApiKey\n"
            "c = Client(SERVER_NAME='localhost', HTTP_AUTHORIZATION='Bearer demo-key-123')\n"
            "print(c.get('/api/search/', {'q': 'read'}).status_code,"
            " ApiKey.objects.get(key='demo-key-123').balance)\n"
        )
        result = manage("shell", "--verbosity", "0", "-c", script, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["200", "99"]
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("server_style", STYLES)
def test_real_server_answers_every_catalog_error(server_style, seeded_db, tmp_path):
    db_path = copy_db(seeded_db, tmp_path)
    with example_server(server_style, db_path, tmp_path / "server.log") as server:
        base = server.base
        status, _headers, catalog = fetch(f"{base}/api/errors/")
        assert status == 200
        entries = catalog["errors"]
        codes = {entry["code"] for entry in entries}
        assert all(isinstance(code, int if server_style == "status" else str) for code in codes)

        for entry in entries:
            correlation_id = f"e2e-{server_style}-{entry['code']}"
            status, headers, body = fetch(
                f"{base}/api/examples/errors/{entry['code']}/",
                {"X-Correlation-ID": correlation_id},
            )
            assert status == entry["http_status"], entry
            assert envelope_error(server_style, status, headers, body) == entry["code"]
            assert headers["X-Correlation-ID"] == correlation_id
            if status in (429, 503):
                assert int(headers["Retry-After"]) > 0

        status, headers, body = fetch(f"{base}/api/drive/items/")
        assert status == 401
        assert envelope_error(server_style, status, headers, body) == (
            67200003 if server_style == "status" else "ACCESS_DENIED"
        )
        assert len(headers["X-Correlation-ID"]) == 36  # a generated UUID

        status, headers, body = fetch(f"{base}/api/drive/items/", bearer(DEMO_KEY))
        assert status == 200
        assert headers["X-Correlation-ID"]
        names = [item["name"] for item in (body if server_style == "problem" else body["data"])]
        assert names == ["Documents"]

    log = server.log()
    last = entries[-1]["code"]
    assert f"[e2e-{server_style}-{last}] api_errors: " in log
    assert f"error_code={last}" in log


# --- make serve: gunicorn's workers share the counters in Redis ---------------------------

WORKERS = 4
BURST = 20
# Fire only with this much of the window left, so the burst cannot straddle two windows.
MIN_WINDOW_LEFT = 3.5
SERVE_TEST_BUDGET = 30
ACCESS_LINE = re.compile(r"^access <(\d+)> \d{3} /api/search/$", re.MULTILINE)


def demo_key_pk(db_path):
    with sqlite3.connect(db_path) as connection:
        row = connection.execute("SELECT id FROM drive_apikey WHERE key = ?", [DEMO_KEY]).fetchone()
    return row[0]


def wait_for_fresh_window(pk, period=10):
    """Sleep, if need be, into a window of the key with at least ``MIN_WINDOW_LEFT`` s left."""
    end = ratelimit_core._get_window(str(pk), period)
    left = end + 1 - time.time()
    if left < MIN_WINDOW_LEFT:
        time.sleep(left + 0.05)


def burst(url, headers, count):
    """``count`` requests released together from as many threads."""
    barrier = threading.Barrier(count)

    def one(_):
        barrier.wait(timeout=5)
        return fetch(url, headers)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_gunicorn_workers_admit_exactly_the_rate_through_redis(seeded_db, tmp_path):
    """What ``make serve`` runs: 4 gunicorn workers, one Redis. 20 searches at once with the
    demo key (5/10s): exactly 5 admitted, whichever workers answer; after ``Retry-After``,
    the next one is admitted."""
    require_redis()
    import redis

    started = time.monotonic()
    redis_url = "redis://127.0.0.1:6379/14"
    # This run's own keys, so a run beside it on the same Redis cannot take its slots.
    prefix = f"gunicorn-test-{os.getpid()}-{time.time_ns()}"
    client = redis.Redis.from_url(redis_url)
    db_path = copy_db(seeded_db, tmp_path)

    def gunicorn(port):
        command = [
            *(sys.executable, "-m", "gunicorn", "example_project.wsgi"),
            *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"),
            *("--graceful-timeout", "3", "--access-logfile", "-"),
            # The worker's pid first, to tell which workers served the burst.
            *("--access-logformat", "access %(p)s %(s)s %(U)s"),
        ]
        if int(version("gunicorn").split(".")[0]) >= 27:
            command.append("--no-control-socket")  # not the one in ~/.gunicorn: no clash
        return command

    try:
        with example_server(
            "status",
            db_path,
            tmp_path / "gunicorn.log",
            command=gunicorn,
            REDIS_URL=redis_url,
            CACHE_KEY_PREFIX=prefix,
        ) as server:
            while server.log().count("Booting worker") < WORKERS:
                assert time.monotonic() - started < SERVER_START_TIMEOUT, server.log()
                time.sleep(0.1)

            wait_for_fresh_window(demo_key_pk(db_path))
            url = f"{server.base}/api/search/?q=read"
            responses = burst(url, bearer(DEMO_KEY), BURST)

            statuses = Counter(status for status, _headers, _body in responses)
            assert statuses == {200: 5, 429: BURST - 5}, [h["RateLimit"] for _s, h, _b in responses]
            admitted = [rate_limit_fields(h["RateLimit"]) for s, h, _b in responses if s == 200]
            # Each admitted request saw its own count: one atomic counter across the workers.
            assert sorted(fields["search"]["r"] for fields in admitted) == [0, 1, 2, 3, 4]
            # Only the admitted ones counted against the month.
            assert sorted(fields["search-monthly"]["r"] for fields in admitted) == list(
                range(995, 1000)
            )
            retry_afters = set()
            for status, headers, body in responses:
                if status == 429:
                    assert body["error_code"] == 67200007
                    assert headers["RateLimit-Policy"] == SEARCH_POLICY
                    retry_after = int(headers["Retry-After"])
                    assert headers["RateLimit"] == f'"search";r=0;t={retry_after}'
                    retry_afters.add(retry_after)
            assert max(retry_afters) <= 10

            with sqlite3.connect(db_path) as connection:
                (left,) = connection.execute(
                    "SELECT balance FROM drive_apikey WHERE key = ?", [DEMO_KEY]
                ).fetchone()
            assert left == 95

            time.sleep(max(retry_afters))
            status, headers, _body = fetch(url, bearer(DEMO_KEY))
            assert status == 200
            assert rate_limit_fields(headers["RateLimit"])["search"]["r"] == 4
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    served_by = Counter(ACCESS_LINE.findall(server.log()))
    assert sum(served_by.values()) == BURST + 1
    assert len(served_by) > 1, "one worker served every search: not a multi-worker test"
    assert time.monotonic() - started < SERVE_TEST_BUDGET
