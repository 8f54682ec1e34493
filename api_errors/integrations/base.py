"""What an integration is, and the ones ``API_ERRORS["INTEGRATIONS"]`` turns on.

The middleware and the Celery task signals tell every active integration when a correlation
id becomes current and when it stops being; the pipeline tells them about each error it
reports. With no integration on, each of those is one empty-tuple test.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from api_errors.catalog.types import ResolvedError
from api_errors.conf import SETTING_NAME, APIErrorsSettings, SettingError, resolve
from api_errors.correlation import (
    client_correlation_id,
    new_correlation_id,
    traced_correlation_id,
)

logger = logging.getLogger("api_errors")

# The short names ``INTEGRATIONS`` accepts; a dotted path to any other subclass works too.
BUILTIN_INTEGRATIONS: Mapping[str, str] = {
    "celery": "api_errors.integrations.celery.CeleryIntegration",
    "opentelemetry": "api_errors.integrations.opentelemetry.OpenTelemetryIntegration",
    "sentry": "api_errors.integrations.sentry.SentryIntegration",
    "structlog": "api_errors.integrations.structlog.StructlogIntegration",
}


class Integration:
    """Hooks an integration overrides; each does nothing here."""

    def install(self) -> None:
        """Once per process, when the app is ready (connect signals here)."""

    def supply_correlation_id(self, request: HttpRequest) -> str | None:
        """An id for a request that brought no acceptable one, when
        ``CORRELATION_ID_FROM_TRACE`` is on; ``None`` leaves it to the next source."""
        return None

    def bind(self, correlation_id: str) -> Any:
        """``correlation_id`` is now current (a request or a task); returns what ``unbind``
        needs to restore what was there before."""
        return None

    def unbind(self, state: Any) -> None:
        """The id ``bind`` was told about is no longer current."""

    def error_resolved(
        self, error: ResolvedError, request: HttpRequest | None, correlation_id: str | None
    ) -> None:
        """``error`` is about to be logged and answered (Django's exception signal, which
        error trackers listen to, has not been sent yet)."""


def resolve_integration(value: Any) -> Integration:
    """What one ``INTEGRATIONS`` entry names: a short name, a class, an instance, or a
    dotted path to one of those. A library that is not installed is a ``SettingError``."""
    named = BUILTIN_INTEGRATIONS.get(value) if isinstance(value, str) else None
    try:
        found = resolve(
            "INTEGRATIONS",
            named or value,
            accept=lambda found: (
                isinstance(found, Integration)
                or (isinstance(found, type) and issubclass(found, Integration))
            ),
            expected="an Integration subclass or instance",
        )
    except SettingError as exc:
        if named is None:
            raise
        # A shipped integration only fails to import when its library is missing.
        raise SettingError(
            f"{SETTING_NAME}['INTEGRATIONS'] {value!r} cannot be used: {exc.__cause__}"
        ) from exc
    return found() if isinstance(found, type) else found  # type: ignore[no-any-return]


def _active(conf: APIErrorsSettings) -> tuple[Integration, ...]:
    active = []
    for entry in conf.INTEGRATIONS:
        try:
            active.append(resolve_integration(entry))
        except SettingError:
            continue  # the checks report it (E025); one bad entry must not stop requests
    return tuple(active)


def active_integrations(conf: APIErrorsSettings) -> tuple[Integration, ...]:
    """The integrations these settings turn on, built once per settings object."""
    return conf.derived(_active)


def supplied_correlation_id(
    integrations: tuple[Integration, ...], request: HttpRequest
) -> str | None:
    """The first id an integration supplies for ``request``."""
    for integration in integrations:
        try:
            supplied = integration.supply_correlation_id(request)
        except Exception:
            _failed(integration, "supply a correlation id")
            continue
        # Whatever an integration hands back becomes a header value: printable ASCII only.
        if supplied and isinstance(supplied, str) and supplied.isascii() and supplied.isprintable():
            return supplied
    return None


def bind_all(integrations: tuple[Integration, ...], correlation_id: str) -> list[Any]:
    """Tell each integration ``correlation_id`` is current; what ``unbind_all`` needs."""
    states = []
    for integration in integrations:
        try:
            states.append(integration.bind(correlation_id))
        except Exception:
            _failed(integration, "bind the correlation id")
            states.append(None)
    return states


def unbind_all(integrations: tuple[Integration, ...], states: list[Any]) -> None:
    for integration, state in zip(reversed(integrations), reversed(states), strict=True):
        try:
            integration.unbind(state)
        except Exception:
            _failed(integration, "unbind the correlation id")


def notify_error(
    integrations: tuple[Integration, ...],
    error: ResolvedError,
    request: HttpRequest | None,
    correlation_id: str | None,
) -> None:
    """Tell each integration about ``error``; one failing never changes the response."""
    for integration in integrations:
        try:
            integration.error_resolved(error, request, correlation_id)
        except Exception:
            _failed(integration, "record the error")


def _failed(integration: Integration, what: str) -> None:
    logger.exception("api_errors integration %s could not %s", type(integration).__name__, what)


def request_correlation_id(
    request: HttpRequest, conf: APIErrorsSettings, integrations: tuple[Integration, ...]
) -> str:
    """The request's id: the client's when acceptable; then, with ``CORRELATION_ID_FROM_TRACE``,
    the trace id an integration supplies (the current span's) or a valid ``traceparent``'s;
    a new one otherwise."""
    meta = request.META
    found = client_correlation_id(meta, conf)
    if found is None and conf.CORRELATION_ID_FROM_TRACE:
        found = (integrations and supplied_correlation_id(integrations, request)) or (
            traced_correlation_id(meta)
        )
    return found or new_correlation_id()
