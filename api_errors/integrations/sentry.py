"""Sentry: the correlation id, and on errors the catalog code, as tags of the request's events.

Turned on with ``API_ERRORS = {"INTEGRATIONS": ["sentry"]}``. The tags go on the isolation
scope, the one sentry-sdk 2 keeps for a whole request (its Django integration forks it per
request, its Celery integration per task). A scope forked here would be thrown away before
Sentry captures anything, and the event of a 5xx would carry neither tag.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from django.http import HttpRequest

from api_errors.catalog.types import ResolvedError
from api_errors.integrations.base import Integration

CORRELATION_ID_TAG = "correlation_id"
ERROR_CODE_TAG = "error_code"
TAGS = (CORRELATION_ID_TAG, ERROR_CODE_TAG)

# What ``unbind`` puts back: the scope bound to and each tag's value before (None: absent).
BoundState = tuple[sentry_sdk.Scope, dict[str, Any]]


def _tag_values(scope: sentry_sdk.Scope) -> dict[str, Any]:
    # sentry-sdk has no public reader of a scope's tags.
    tags = getattr(scope, "_tags", None)
    if not isinstance(tags, dict):
        return dict.fromkeys(TAGS)
    return {tag: tags.get(tag) for tag in TAGS}


class SentryIntegration(Integration):
    """Tags the isolation scope while an id is current, and restores it afterwards, so an
    id never outlives its request where no one forked the scope (no Django integration)."""

    def bind(self, correlation_id: str) -> BoundState | None:
        if not sentry_sdk.get_client().is_active():
            return None
        scope = sentry_sdk.get_isolation_scope()
        previous = _tag_values(scope)
        scope.set_tag(CORRELATION_ID_TAG, correlation_id)
        # A task run inside a request's scope must not carry the request's error code.
        scope.remove_tag(ERROR_CODE_TAG)
        return scope, previous

    def unbind(self, state: BoundState | None) -> None:
        if state is None:
            return
        scope, previous = state
        for tag, value in previous.items():
            if value is None:
                scope.remove_tag(tag)
            else:
                scope.set_tag(tag, value)

    def error_resolved(
        self, error: ResolvedError, request: HttpRequest | None, correlation_id: str | None
    ) -> None:
        if not sentry_sdk.get_client().is_active():
            return
        scope = sentry_sdk.get_isolation_scope()
        scope.set_tag(ERROR_CODE_TAG, str(error.code))
        if correlation_id:
            scope.set_tag(CORRELATION_ID_TAG, correlation_id)
