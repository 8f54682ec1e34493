"""One request's correlation id, end to end through the example served for real.

Each piece is the real thing on loopback: gunicorn serving the example, a Celery worker on
Redis (db 11, a queue of the test's own), a search service and a Sentry ingest endpoint
that record what they receive, and the OpenTelemetry SDK exporting spans to a file.

The request is a search the search service fails (it answers 500), so one request does it
all: it calls the service, the view queues the search's record for the worker (it does so
whether the search found something or failed), and the search answers 502. A 502 is a
server error the example does not send on purpose, so api_errors logs it and sends
``got_request_exception``, which sentry-sdk's Django integration turns into an event.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest

from example_project.drive.management.commands.seed_demo import DEMO_KEY
from tests.example.e2e_sentry import sentry_ingest
from tests.example.support import (
    REPO_ROOT,
    bearer,
    copy_db,
    example_env,
    example_server,
    fetch,
    stop,
)
from tests.recording_server import recording_server, without_proxies
from tests.services import REDIS_HOST, REDIS_PORT, require_redis

pytestmark = pytest.mark.slow

BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/11"
# Seconds to wait for what arrives after the response: the task's line, the event, the span.
ARRIVAL_TIMEOUT = 20
WORKER_START_TIMEOUT = 30
HEADER = "X-Correlation-ID"
SEARCH_FAILED = 68300005


def wait_for(found: Callable[[], object], what: str, timeout: float = ARRIVAL_TIMEOUT):
    """``found()``'s first truthy answer, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = found()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout}s")
        time.sleep(0.1)


def gunicorn(port: int) -> list[str]:
    command = [
        *(sys.executable, "-m", "gunicorn", "example_project.wsgi"),
        *("--workers", "1", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "3"),
    ]
    if int(version("gunicorn").split(".")[0]) >= 27:
        command.append("--no-control-socket")  # not the one in ~/.gunicorn: no clash
    return command


@contextmanager
def celery_worker(queue: str, env: dict[str, str], log_path: Path) -> Iterator[Path]:
    """The example's worker, consuming only ``queue``; yielded once it is ready."""
    command = [
        *(sys.executable, "-m", "celery", "-A", "example_project", "worker"),
        *("--pool=solo", "-Q", queue, "-n", f"{queue}@localhost", "--loglevel=INFO"),
        # Nothing but the queue: no chatter with other workers on the same Redis.
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:

        def ready():
            if process.poll() is not None:
                pytest.fail(f"the worker exited with {process.returncode}:\n{log_path.read_text()}")
            return " ready." in log_path.read_text()

        wait_for(ready, "ready worker", WORKER_START_TIMEOUT)
        yield log_path
    finally:
        stop(process)


@pytest.fixture
def broker():
    """Redis db 11; the keys the test made there are deleted when it ends."""
    require_redis()
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    before = set(client.keys("*"))
    queue = f"e2e-{os.getpid()}-{secrets.token_hex(4)}"
    yield queue
    made = [key for key in client.keys("*") if key not in before or queue.encode() in key]
    if made:
        client.delete(*made)
    client.close()


def spans(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    # A line still being written is not a span yet.
    return [json.loads(line) for line in lines if line.endswith("}")]


def span_with(path: Path, attribute: str, value: str) -> dict | None:
    return next((s for s in spans(path) if s["attributes"].get(attribute) == value), None)


def test_one_request_leaves_its_correlation_id_everywhere(seeded_db, tmp_path, broker, monkeypatch):
    without_proxies(monkeypatch)  # the servers' environments are copied from this one
    correlation_id = f"e2e-{secrets.token_hex(8)}"
    spans_path = tmp_path / "spans.jsonl"
    db_path = copy_db(seeded_db, tmp_path)
    with recording_server() as search_service, sentry_ingest() as sentry:
        env = {
            "EXAMPLE_SEARCH_URL": search_service.url("/status/500"),
            "EXAMPLE_CELERY_BROKER_URL": BROKER_URL,
            "EXAMPLE_CELERY_QUEUE": broker,
            "SENTRY_DSN": sentry.dsn(),
            "EXAMPLE_OTEL_SPANS_FILE": str(spans_path),
        }
        worker_env = example_env("status", db_path, **env)
        with (
            celery_worker(broker, worker_env, tmp_path / "worker.log") as worker_log,
            example_server(
                "status", db_path, tmp_path / "web.log", command=gunicorn, **env
            ) as server,
        ):
            status, headers, body = fetch(
                f"{server.base}/api/search/?q=readme",
                {**bearer(DEMO_KEY), HEADER: correlation_id},
            )
            # 1. The response.
            assert (status, body["error_code"]) == (502, SEARCH_FAILED), body
            assert headers[HEADER] == correlation_id

            # 2. The search service received it.
            assert search_service.only().path == "/status/500?q=readme"
            assert search_service.only().header(HEADER) == correlation_id

            # 3. The web log line: api_errors' line of the 502.
            web_line = wait_for(
                lambda: [
                    line
                    for line in server.log().splitlines()
                    if f"[{correlation_id}] api_errors: GET /api/search/ -> 502" in line
                ],
                "web log line",
            )
            assert f"error_code={SEARCH_FAILED}" in web_line[0]

            # 4. The task's log line, in the worker.
            task_line = f"[{correlation_id}] example_project.drive.tasks: search of 6 characters"
            try:
                wait_for(lambda: task_line in worker_log.read_text(), "task log line")
            except pytest.fail.Exception:
                ran = [line for line in worker_log.read_text().splitlines() if "tasks:" in line]
                pytest.fail(f"the task did not log under {correlation_id}: {ran}")

            # 5. The Sentry event.
            (event,) = wait_for(
                lambda: [
                    e for e in sentry.events() if e["tags"].get("correlation_id") == correlation_id
                ],
                "Sentry event",
            )
            assert event["tags"]["error_code"] == str(SEARCH_FAILED)
            assert event["exception"]["values"][-1]["type"] == "SearchFailed"

            # 6. The exported span.
            span = wait_for(
                lambda: span_with(spans_path, "api_errors.correlation_id", correlation_id),
                "exported span",
            )
            assert span["attributes"]["http.route"] == "api/search/"
            assert span["attributes"]["api_errors.code"] == SEARCH_FAILED

    # The query went to the search service, not into the queue.
    assert "readme" not in worker_log.read_text()


def test_the_trace_id_becomes_the_correlation_id(seeded_db, tmp_path, monkeypatch):
    """``EXAMPLE_CORRELATION_ID_FROM_TRACE``: a request bringing only a ``traceparent`` is
    answered under its trace id, and the server span continues that trace."""
    without_proxies(monkeypatch)
    trace_id, parent_span_id = secrets.token_hex(16), secrets.token_hex(8)
    spans_path = tmp_path / "spans.jsonl"
    db_path = copy_db(seeded_db, tmp_path)
    with example_server(
        "status",
        db_path,
        tmp_path / "web.log",
        command=gunicorn,
        EXAMPLE_OTEL_SPANS_FILE=str(spans_path),
        EXAMPLE_CORRELATION_ID_FROM_TRACE="1",
    ) as server:
        # No API key: a 401, which api_errors logs under the request's id.
        status, headers, _body = fetch(
            f"{server.base}/api/drive/items/", {"traceparent": f"00-{trace_id}-{parent_span_id}-01"}
        )
        assert status == 401
        assert headers[HEADER] == trace_id

        span = wait_for(
            lambda: span_with(spans_path, "api_errors.correlation_id", trace_id), "exported span"
        )
        assert span["context"]["trace_id"] == f"0x{trace_id}"
        assert span["parent_id"] == f"0x{parent_span_id}"
        wait_for(
            lambda: f"[{trace_id}] api_errors: GET /api/drive/items/ -> 401" in server.log(),
            "web log line",
        )
