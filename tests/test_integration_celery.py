"""The Celery integration against real Celery: eager runs in this process, and workers
(solo, prefork, threads) in their own processes against Redis."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import structlog
from celery import chain, signals
from celery.result import AsyncResult
from django.test import override_settings

from api_errors.conf import get_settings
from api_errors.correlation import get_correlation_id, reset_correlation_id, set_correlation_id
from api_errors.integrations.celery import HEADER, CeleryIntegration, is_active
from api_errors.integrations.structlog import StructlogIntegration
from tests.celery_app import (
    AFTER_KEY,
    BROKER_URL,
    Recorder,
    app,
    publish_child,
    recorder,
    report,
)
from tests.services import require_redis

ROOT = Path(__file__).resolve().parent.parent
ON = {"INTEGRATIONS": ["celery", "structlog"]}
UNUSABLE = ["x\r\ny", "a" * 1000, "", "ünï", "has space", 123, ["abc-123"]]


def is_new_id(value):
    return isinstance(value, str) and str(uuid.UUID(value)) == value


@contextmanager
def current(correlation_id):
    """``correlation_id`` current here, as the middleware makes it for a request."""
    token = set_correlation_id(correlation_id)
    try:
        yield
    finally:
        reset_correlation_id(token)


@pytest.fixture
def celery_on():
    with override_settings(API_ERRORS=ON):
        # Twice: installing is idempotent, or every test below would see a leak.
        CeleryIntegration().install()
        CeleryIntegration().install()
        yield


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def published_headers(**headers):
    """The headers Celery's real ``before_task_publish`` leaves on a message."""
    signals.before_task_publish.send(sender=report.name, headers=headers)
    return headers


# -- in this process: eager runs and the publish signal ------------------------------


def test_only_the_celery_integration_turns_it_on():
    assert not is_active(get_settings())
    with override_settings(API_ERRORS={"INTEGRATIONS": ["structlog"]}):
        assert not is_active(get_settings())
    with override_settings(API_ERRORS=ON):
        assert is_active(get_settings())


def test_publishing_adds_the_current_id(celery_on):
    with current("abc-123"):
        assert published_headers()[HEADER] == "abc-123"


def test_publishing_outside_a_request_adds_a_new_id(celery_on):
    first, second = published_headers()[HEADER], published_headers()[HEADER]
    assert is_new_id(first)
    assert is_new_id(second)
    assert first != second


def test_publishing_keeps_a_header_the_caller_set(celery_on):
    with current("abc-123"):
        assert published_headers(**{HEADER: "given-1"})[HEADER] == "given-1"


def test_nothing_happens_when_the_integration_is_off():
    CeleryIntegration().install()
    assert published_headers() == {}
    seen = report.apply().get()
    assert seen["correlation_id"] is None
    assert seen["logged"] == "-"
    assert seen["structlog"] == {}


def test_eager_task_in_a_request_runs_under_its_id(celery_on, client):
    with override_settings(ROOT_URLCONF="tests.urls_celery"):
        response = client.get("/api/celery/eager", HTTP_X_CORRELATION_ID="abc-123")
    seen = response.json()
    assert seen["correlation_id"] == seen["logged"] == "abc-123"
    assert seen["structlog"] == {"correlation_id": "abc-123"}
    assert get_correlation_id() is None
    assert structlog.contextvars.get_contextvars() == {}


def test_eager_task_outside_a_request_gets_a_new_id_and_leaves_nothing(celery_on):
    first, second = report.apply().get(), report.apply().get()
    assert is_new_id(first["correlation_id"])
    assert first["logged"] == first["correlation_id"]
    assert first["structlog"] == {"correlation_id": first["correlation_id"]}
    assert second["correlation_id"] != first["correlation_id"]
    assert get_correlation_id() is None
    assert structlog.contextvars.get_contextvars() == {}


def test_eager_task_with_its_own_header_restores_the_outer_id(celery_on):
    integrations = (StructlogIntegration(),)
    with current("outer-1"):
        state = integrations[0].bind("outer-1")
        seen = report.apply(headers={HEADER: "inner-1"}).get()
        assert get_correlation_id() == "outer-1"
        assert structlog.contextvars.get_contextvars() == {"correlation_id": "outer-1"}
        integrations[0].unbind(state)
    assert seen["correlation_id"] == seen["structlog"]["correlation_id"] == "inner-1"


def test_eager_retry_keeps_the_id(celery_on):
    recorder.records.clear()
    seen = report.apply(kwargs={"retry_once": True}).get()
    assert seen["retries"] == 1
    ids = {record.correlation_id for record in recorder.records}
    assert ids == {seen["correlation_id"]}
    assert len(recorder.records) == 2  # the first attempt's line and the retry's


def test_always_eager_retry_chain_and_child_keep_the_id(celery_on, eager):
    with current("job-7"):
        retried = report.apply_async(kwargs={"retry_once": True}).get()
        chained = chain(report.s(), report.s()).apply_async().get()
        parent = publish_child.delay().get()
    assert retried["retries"] == 1
    assert retried["correlation_id"] == "job-7"
    assert chained["correlation_id"] == chained["previous"]["correlation_id"] == "job-7"
    assert parent["correlation_id"] == "job-7"


@pytest.mark.parametrize("value", UNUSABLE, ids=lambda value: repr(value)[:12])
def test_an_unusable_header_is_replaced_and_never_logged(celery_on, value):
    records = Recorder()
    logging.getLogger("api_errors").addHandler(records)
    try:
        seen = report.apply(headers={HEADER: value}).get()
    finally:
        logging.getLogger("api_errors").removeHandler(records)
    assert is_new_id(seen["correlation_id"])
    assert seen["structlog"] == {"correlation_id": seen["correlation_id"]}
    [warning] = records.records
    assert warning.levelno == logging.WARNING
    # Under the new id, and without the value in the message or its arguments.
    assert warning.correlation_id == seen["correlation_id"]
    assert "unusable" in warning.getMessage()
    assert value not in warning.args
    if isinstance(value, str) and value:
        assert value not in warning.getMessage()


@pytest.mark.parametrize(
    ("pattern", "value", "kept"),
    [
        (r"req-[0-9]+", "req-42", True),
        # The ids the package makes pass whatever the pattern says of client ids.
        (r"req-[0-9]+", "0b8e8f66-5f4e-4b9a-8a51-1f0c2d3e4f5a", True),
        (r"req-[0-9]+", "4bf92f3577b34da6a3ce929d0e0e4736", True),
        (r"req-[0-9]+", "abc-123", False),
        (r"req-[0-9]+", "req-" + "1" * 200, False),
        ("(", "0b8e8f66-5f4e-4b9a-8a51-1f0c2d3e4f5a", True),
        ("(", "abc-123", False),
    ],
)
def test_the_header_is_checked_against_the_pattern(pattern, value, kept):
    with override_settings(API_ERRORS={**ON, "CORRELATION_ID_PATTERN": pattern}):
        CeleryIntegration().install()
        seen = report.apply(headers={HEADER: value}).get()
    assert (seen["correlation_id"] == value) is kept


def test_an_untrusted_client_id_setting_still_carries_the_id_into_tasks():
    with override_settings(API_ERRORS={**ON, "TRUST_CORRELATION_ID": False}):
        CeleryIntegration().install()
        seen = report.apply(headers={HEADER: "abc-123"}).get()
    assert seen["correlation_id"] == "abc-123"


# -- workers in their own processes, against Redis -----------------------------------


class Worker:
    def __init__(self, pool, queue, log):
        self.pool, self.queue, self.log = pool, queue, log

    def after(self, task_id, timeout=10):
        """What the worker's context held once the task was over (recorded in task_postrun,
        which runs just after the result is stored)."""
        client = redis.Redis.from_url(BROKER_URL)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                found = client.get(AFTER_KEY.format(task_id))
                if found is not None:
                    return json.loads(found)
                time.sleep(0.05)
        finally:
            client.close()
        raise AssertionError(f"no after-state for {task_id}")

    def result(self, task_id):
        return AsyncResult(task_id, app=app).get(timeout=20)


@pytest.fixture(scope="module", params=["solo", "prefork", "threads"])
def worker(request, tmp_path_factory):
    require_redis()
    pool = request.param
    queue = f"api_errors_tests_{os.getpid()}_{pool}"
    log = tmp_path_factory.mktemp("celery") / f"{pool}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.celery_settings",
        "API_ERRORS_TESTS_CELERY_QUEUE": queue,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "tests.celery_app", "worker",
        "--pool", pool, "--concurrency", "2", "--queues", queue, "--loglevel", "INFO",
        "--hostname", f"{queue}@127.0.0.1", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the {pool} worker did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Worker(pool, queue, log)
    finally:
        process.terminate()  # a warm shutdown, which also ends prefork's children
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        client = redis.Redis.from_url(BROKER_URL)
        # The queue, and the exchange bindings kombu keeps for it.
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()


def assert_ran_under(seen, correlation_id):
    assert seen["correlation_id"] == seen["logged"] == correlation_id
    assert seen["structlog"] == {"correlation_id": correlation_id}
    assert seen["merged"] == {"event": "x", "correlation_id": correlation_id}


@pytest.mark.slow
def test_a_request_id_reaches_the_worker(worker, celery_on, client):
    with override_settings(ROOT_URLCONF="tests.urls_celery"):
        response = client.get(
            "/api/celery/publish", {"queue": worker.queue}, HTTP_X_CORRELATION_ID="abc-123"
        )
    task_id = response.json()["task_id"]
    assert_ran_under(worker.result(task_id), "abc-123")
    assert worker.after(task_id) == {"correlation_id": None, "structlog": {}}


@pytest.mark.slow
def test_a_task_published_outside_a_request_gets_a_new_id(worker, celery_on):
    first = worker.result(report.apply_async(queue=worker.queue).id)
    second = worker.result(report.apply_async(queue=worker.queue).id)
    assert is_new_id(first["correlation_id"])
    assert_ran_under(first, first["correlation_id"])
    assert second["correlation_id"] != first["correlation_id"]


@pytest.mark.slow
def test_retries_chains_and_children_keep_the_id(worker, celery_on):
    with current("job-7"):
        retried = report.apply_async(kwargs={"retry_once": True}, queue=worker.queue)
        chained = chain(report.s(), report.s()).apply_async(queue=worker.queue)
        parent = publish_child.apply_async(queue=worker.queue)
    seen = worker.result(retried.id)
    assert seen["retries"] == 1
    assert_ran_under(seen, "job-7")
    seen = chained.get(timeout=20)
    assert_ran_under(seen, "job-7")
    assert_ran_under(seen["previous"], "job-7")
    spawned = worker.result(parent.id)
    assert spawned["correlation_id"] == "job-7"
    assert_ran_under(worker.result(spawned["child_id"]), "job-7")


@pytest.mark.slow
def test_a_header_set_by_the_caller_is_what_the_task_sees(worker, celery_on):
    with current("abc-123"):
        result = report.apply_async(headers={HEADER: "given-1"}, queue=worker.queue)
    assert_ran_under(worker.result(result.id), "given-1")


@pytest.mark.slow
def test_an_unusable_header_is_replaced_in_the_worker(worker, celery_on):
    results = [report.apply_async(headers={HEADER: v}, queue=worker.queue) for v in UNUSABLE]
    for result in results:
        seen = worker.result(result.id)
        assert is_new_id(seen["correlation_id"])
        assert_ran_under(seen, seen["correlation_id"])
        assert worker.after(result.id) == {"correlation_id": None, "structlog": {}}
    log = worker.log.read_text(encoding="utf-8", errors="replace")
    assert log.count("unusable api_errors_correlation_id header") == len(UNUSABLE)
    assert "a" * 1000 not in log
    assert "x\r\ny" not in log


@pytest.mark.slow
def test_nothing_leaks_to_the_next_task(worker, celery_on):
    with current("abc-123"):
        first = report.apply_async(queue=worker.queue)
    worker.result(first.id)
    # Published with the integration off: no header, so a leak would show as abc-123.
    with override_settings(API_ERRORS={}):
        nexts = [report.apply_async(queue=worker.queue) for _ in range(4)]
    for result in nexts:
        seen = worker.result(result.id)
        assert is_new_id(seen["correlation_id"])
        assert_ran_under(seen, seen["correlation_id"])
        assert worker.after(result.id) == {"correlation_id": None, "structlog": {}}
