"""The Celery app of the Celery integration's tests, its tasks, and a probe.

Broker and results are Redis database 12, which no other test uses. A worker started as
``celery -A tests.celery_app worker`` with ``DJANGO_SETTINGS_MODULE=tests.celery_settings``
loads Django through Celery's own Django fix-up, as a project's worker does, so the
app's ``ready()`` is what turns the integration on there.
"""

from __future__ import annotations

import json
import logging
import os

import redis
import structlog
from celery import Celery, signals

from api_errors.correlation import CorrelationIdFilter, get_correlation_id
from tests.services import REDIS_HOST, REDIS_PORT

BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/12"
# Also where tasks published by a task (retries, chains, children) go: a worker started
# by the tests is given a queue of its own through this variable.
QUEUE = os.environ.get("API_ERRORS_TESTS_CELERY_QUEUE", f"api_errors_tests_{os.getpid()}")
AFTER_KEY = "api_errors_tests:after:{}"

app = Celery("api_errors_tests", broker=BROKER_URL, backend=BROKER_URL)
app.conf.update(
    task_default_queue=QUEUE,
    result_expires=300,
    broker_connection_retry_on_startup=False,
    broker_connection_max_retries=2,
    worker_hijack_root_logger=False,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
)


class Recorder(logging.Handler):
    """Keeps the records of the tasks' logger, after the correlation filter ran."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(CorrelationIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


recorder = Recorder()
task_logger = logging.getLogger("tests.celery_tasks")
task_logger.addHandler(recorder)
task_logger.setLevel(logging.INFO)
task_logger.propagate = False


def seen(task, previous=None):
    """What a running task sees of the correlation id."""
    task_logger.info("task %s running", task.request.id)
    record = next(r for r in reversed(recorder.records) if task.request.id in r.getMessage())
    return {
        "task_id": task.request.id,
        "correlation_id": get_correlation_id(),
        "logged": record.correlation_id,
        "structlog": structlog.contextvars.get_contextvars(),
        "merged": structlog.contextvars.merge_contextvars(None, "info", {"event": "x"}),
        "retries": task.request.retries,
        "previous": previous,
    }


@app.task(bind=True, name="tests.report")
def report(self, previous=None, *, retry_once=False):
    if retry_once and self.request.retries == 0:
        task_logger.info("task %s retrying", self.request.id)
        raise self.retry(countdown=0, max_retries=1)
    return seen(self, previous)


@app.task(bind=True, name="tests.publish_child")
def publish_child(self):
    """Publishes ``report`` from inside a task and says which id it ran under."""
    child = report.apply_async()
    return {"correlation_id": get_correlation_id(), "child_id": child.id}


def _after(sender=None, task_id=None, **kwargs):
    """What is left in the worker's context once the task is over, kept in Redis."""
    left = {
        "correlation_id": get_correlation_id(),
        "structlog": structlog.contextvars.get_contextvars(),
    }
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.set(AFTER_KEY.format(task_id), json.dumps(left), ex=300)
    finally:
        client.close()


def connect_probe():
    """Connect ``_after`` behind every ``task_postrun`` receiver already there, the
    integration's included."""
    signals.task_postrun.disconnect(dispatch_uid="tests.celery_app.after")
    signals.task_postrun.connect(_after, weak=False, dispatch_uid="tests.celery_app.after")


@signals.worker_init.connect(weak=False)
def _worker_ready(**kwargs):
    # Django's fix-up has set Django up by now, and the app's ready() installed the
    # integration: the probe comes after it.
    connect_probe()
