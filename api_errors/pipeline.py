"""The one path every entry point takes: convert, report, roll back, render, respond.

Each step is a method, so a project customises one by subclassing ``ErrorPipeline``
and naming the subclass in ``API_ERRORS["PIPELINE"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework.views import set_rollback

from api_errors.active import catalog_for, style_for
from api_errors.catalog.types import Catalog, ResolvedError
from api_errors.conf import APIErrorsSettings, get_settings, resolve, subclass_of
from api_errors.conversion import status_to_api_error, to_api_error
from api_errors.correlation import get_correlation_id
from api_errors.integrations.base import active_integrations, notify_error
from api_errors.reporting import (
    report_deprecated_code,
    report_error,
    report_render_failure,
)
from api_errors.responses import build_error_response, fallback_response
from api_errors.styles import RenderContext, Style, resolve_style


class ErrorPipeline:
    """Turns exceptions and bare error statuses into envelope responses."""

    def __init__(self, conf: APIErrorsSettings) -> None:
        self.conf = conf

    @property
    def catalog(self) -> Catalog:
        return catalog_for(self.conf)

    @property
    def style(self) -> Style:
        return style_for(self.conf)

    def correlation_id(self, request: HttpRequest) -> str | None:
        return getattr(request, "correlation_id", None) or get_correlation_id()

    def convert(self, exc: BaseException, request: HttpRequest) -> ResolvedError:
        return to_api_error(exc, self.catalog, self.conf)

    def convert_status(
        self, status: int, request: HttpRequest, headers: Mapping[str, str]
    ) -> ResolvedError:
        return status_to_api_error(status, self.catalog, self.conf, headers)

    def report(self, error: ResolvedError, request: HttpRequest, *, send_signal: bool) -> None:
        correlation_id = self.correlation_id(request)
        integrations = active_integrations(self.conf)
        if integrations:
            # First: an error tracker listening to the signal sees what they record.
            notify_error(integrations, error, request, correlation_id)
        deprecation = error.entry.deprecated
        if deprecation is not None:
            report_deprecated_code(error, deprecation, request, correlation_id)
        report_error(error, request, correlation_id, self.conf, send_signal=send_signal)

    def respond(self, error: ResolvedError, request: HttpRequest) -> HttpResponse:
        context = RenderContext(
            path=request.path,
            correlation_id=self.correlation_id(request),
            conf=self.conf,
            request=request,
        )
        return build_error_response(error, context, self.style)

    def handle_exception(
        self, exc: BaseException, request: HttpRequest, *, send_signal: bool = True
    ) -> HttpResponse:
        """The response for an exception; ``send_signal`` is off where Django already sent it."""
        try:
            error = self.convert(exc, request)
            self.report(error, request, send_signal=send_signal)
            roll_back_atomic_requests()
            response = self.respond(error, request)
        except Exception:
            report_render_failure(type(exc).__qualname__, request, self.correlation_id(request))
            return fallback_response(fallback_style(self.conf), request.path)
        # The response outlives the frames in the exception's traceback, which can hold the
        # response: without this, each error would leave a cycle for the collector.
        error.exception = None
        return response

    def handle_error_status(
        self, status: int, request: HttpRequest, headers: Mapping[str, str]
    ) -> HttpResponse:
        """The envelope replacing an error response Django or a view made without one."""
        try:
            error = self.convert_status(status, request, headers)
            self.report(error, request, send_signal=False)
            return self.respond(error, request)
        except Exception:
            report_render_failure(f"a {status} response", request, self.correlation_id(request))
            return fallback_response(fallback_style(self.conf), request.path)


def roll_back_atomic_requests() -> None:
    """Mark the request's transaction for rollback where one is open (``ATOMIC_REQUESTS``).
    Without such a database there is nothing to roll back, and DRF's check, which looks
    up every connection in a context-local store, is skipped."""
    if any(database.get("ATOMIC_REQUESTS") for database in settings.DATABASES.values()):
        set_rollback()


def fallback_style(conf: APIErrorsSettings) -> type[Style] | None:
    """The style class of the last-resort body; ``None`` (the status style's) if unusable."""
    try:
        return resolve_style(conf.STYLE)
    except Exception:
        return None


def resolve_pipeline(value: Any) -> type[ErrorPipeline]:
    """The ``ErrorPipeline`` subclass ``API_ERRORS["PIPELINE"]`` names."""
    pipeline: type[ErrorPipeline] = resolve(
        "PIPELINE", value, accept=subclass_of(ErrorPipeline), expected="an ErrorPipeline subclass"
    )
    return pipeline


def _build_pipeline(conf: APIErrorsSettings) -> ErrorPipeline:
    return resolve_pipeline(conf.PIPELINE)(conf)


def get_pipeline() -> ErrorPipeline:
    return get_settings().derived(_build_pipeline)


def _pipeline_or_none(request: HttpRequest) -> ErrorPipeline | None:
    try:
        return get_pipeline()
    except Exception:
        report_render_failure("any error: the pipeline did not load", request, get_correlation_id())
        return None


def respond_to_exception(
    exc: BaseException, request: HttpRequest, *, send_signal: bool = True
) -> HttpResponse:
    """Entry points call this: the pipeline's response, or the fallback if it cannot load."""
    pipeline = _pipeline_or_none(request)
    if pipeline is None:
        return fallback_response(fallback_style(get_settings()), request.path)
    return pipeline.handle_exception(exc, request, send_signal=send_signal)


def respond_to_error_status(
    status: int, request: HttpRequest, headers: Mapping[str, str]
) -> HttpResponse:
    pipeline = _pipeline_or_none(request)
    if pipeline is None:
        return fallback_response(fallback_style(get_settings()), request.path)
    return pipeline.handle_error_status(status, request, headers)
