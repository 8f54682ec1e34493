"""Celery: a task runs under the correlation id of the code that published it.

Publishing puts the current id (a new one outside any request or task) in the message
header ``api_errors_correlation_id``; Celery's own ``correlation_id`` is the task id, so
ours has a name of its own. A header the caller set in ``apply_async(headers=...)`` is
kept: it is what the caller asked for, and a retry already carries the original's.

When a worker starts the task, the header is checked (anyone who can write to the broker
can set it; see ``accepted_task_correlation_id``) and an unusable one is replaced by a new
id, never logged. The id is made current for the task and bound in every active
integration; when the task ends, exactly that is undone. What the task
publishes, its retries and the next tasks of its chain, carry the same id. The state
travels on the task's own request, so the solo, prefork and threads pools all work, and
an eager ``apply()`` runs under the caller's id.

The receivers do nothing unless ``"celery"`` is in the current ``INTEGRATIONS``.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from celery import signals

from api_errors.conf import APIErrorsSettings, get_settings
from api_errors.correlation import (
    get_correlation_id,
    is_made_here,
    matches_correlation_pattern,
    new_correlation_id,
    reset_correlation_id,
    set_correlation_id,
)
from api_errors.integrations.base import Integration, active_integrations, bind_all, unbind_all

logger = logging.getLogger("api_errors")

HEADER = "api_errors_correlation_id"
# Longer than any id worth keeping, whatever the pattern allows.
MAX_LENGTH = 128
# Where the running task keeps what ``task_postrun`` undoes.
_STATE_ATTRIBUTE = "_api_errors_correlation"


class CeleryIntegration(Integration):
    """Carries the correlation id from the publisher into the task."""

    def install(self) -> None:
        # dispatch_uid: a second install (tests, a reloaded app) connects nothing more.
        signals.before_task_publish.connect(
            _publishing, weak=False, dispatch_uid="api_errors.celery.publish"
        )
        signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="api_errors.celery.run")
        signals.task_postrun.connect(
            _task_finished, weak=False, dispatch_uid="api_errors.celery.done"
        )


def _celery_on(conf: APIErrorsSettings) -> bool:
    return any(isinstance(found, CeleryIntegration) for found in active_integrations(conf))


def is_active(conf: APIErrorsSettings) -> bool:
    """Whether these settings turn the Celery integration on."""
    return conf.derived(_celery_on)


def accepted_task_correlation_id(value: object, conf: APIErrorsSettings) -> str | None:
    """``value`` when it can be a task's correlation id: short printable ASCII matching
    ``CORRELATION_ID_PATTERN`` or of the form this package makes, else ``None``.

    ``TRUST_CORRELATION_ID`` is about HTTP clients; the header is written by publishers,
    so it is checked but not refused wholesale."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    # The ids made here must survive a pattern that only describes what clients send.
    if is_made_here(value) or matches_correlation_pattern(value, conf):
        return value
    return None


def _publishing(headers: MutableMapping[str, Any], **_: Any) -> None:
    if HEADER not in headers and is_active(get_settings()):
        headers[HEADER] = get_correlation_id() or new_correlation_id()


def _task_started(task: Any, **_: Any) -> None:
    conf = get_settings()
    if not is_active(conf):
        return
    request = task.request
    # The message's own headers: what a worker received, or what apply() was given.
    value = (request.headers or {}).get(HEADER)
    if value is None:
        # sentry-sdk's Celery integration nests its own "headers" dict in the message, which
        # then becomes request.headers; ours stays a top-level header, an attribute here.
        value = request.__dict__.get(HEADER)
    if value is None:
        # No header: an eager run inside a request or task, or a foreign publisher.
        correlation_id, rejected = get_correlation_id() or new_correlation_id(), False
    else:
        accepted = accepted_task_correlation_id(value, conf)
        correlation_id, rejected = accepted or new_correlation_id(), accepted is None
    # What the task runs under is what signature_from_request() copies into a retry,
    # which an eager task runs after this one has ended.
    request.headers = {**(request.headers or {}), HEADER: correlation_id}
    token = set_correlation_id(correlation_id)
    integrations = active_integrations(conf)
    setattr(
        request, _STATE_ATTRIBUTE, (token, integrations, bind_all(integrations, correlation_id))
    )
    if rejected:
        # The value itself is never logged: it came from the broker, not from us.
        logger.warning(
            "Task %s brought an unusable %s header; it runs under a new correlation id",
            task.name,
            HEADER,
        )


def _task_finished(task: Any, **_: Any) -> None:
    request = task.request
    kept = request.__dict__.pop(_STATE_ATTRIBUTE, None)
    if kept is None:
        return
    token, integrations, states = kept
    try:
        unbind_all(integrations, states)
    finally:
        reset_correlation_id(token)
