"""structlog: the correlation id as ``correlation_id`` in ``structlog.contextvars``.

With ``structlog.contextvars.merge_contextvars`` among the processors, every event logged
while a request or a Celery task runs carries the id. ``unbind`` puts back what was bound
before, so an eager task run inside a request leaves the request's id in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import Token
from typing import Any

import structlog

from api_errors.integrations.base import Integration

CONTEXT_KEY = "correlation_id"


class StructlogIntegration(Integration):
    """Binds the current correlation id in structlog's context variables."""

    def bind(self, correlation_id: str) -> Mapping[str, Token[Any]]:
        return structlog.contextvars.bind_contextvars(**{CONTEXT_KEY: correlation_id})

    def unbind(self, state: Mapping[str, Token[Any]] | None) -> None:
        if state:
            structlog.contextvars.reset_contextvars(**state)
