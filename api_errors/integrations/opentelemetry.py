"""OpenTelemetry: the current span's trace id as the correlation id, and what an error was.

Turned on with ``API_ERRORS = {"INTEGRATIONS": ["opentelemetry"]}``; the trace id becomes
the correlation id only with ``CORRELATION_ID_FROM_TRACE`` on and no acceptable id from the
client. The span is whatever is current when the middleware runs (the server span of
``DjangoInstrumentor`` or any other instrumentation); this module starts no span of its own.
"""

from __future__ import annotations

from django.http import HttpRequest
from opentelemetry import trace
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.http_attributes import HTTP_RESPONSE_STATUS_CODE
from opentelemetry.trace import Status, StatusCode
from opentelemetry.util.types import AttributeValue

from api_errors.catalog.types import ResolvedError
from api_errors.integrations.base import Integration

# Our own attributes, under the package's namespace as the semantic conventions ask.
CORRELATION_ID_ATTRIBUTE = "api_errors.correlation_id"
CODE_ATTRIBUTE = "api_errors.code"


def error_type(error: ResolvedError) -> str:
    """``error.type`` as the semantic conventions define it: the exception's fully
    qualified class name, or the HTTP status when no exception is behind the error."""
    exception = error.exception
    if exception is None:
        return str(error.http_status)
    kind = type(exception)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def error_attributes(error: ResolvedError, correlation_id: str | None) -> dict[str, AttributeValue]:
    """What the span records about ``error``."""
    attributes: dict[str, AttributeValue] = {
        CODE_ATTRIBUTE: error.code,
        HTTP_RESPONSE_STATUS_CODE: error.http_status,
        ERROR_TYPE: error_type(error),
    }
    if correlation_id:
        attributes[CORRELATION_ID_ATTRIBUTE] = correlation_id
    return attributes


class OpenTelemetryIntegration(Integration):
    """Reads and annotates the current span; a span that is not recording costs one test."""

    def supply_correlation_id(self, request: HttpRequest) -> str | None:
        # A valid context is enough: an unsampled request still belongs to its trace.
        context = trace.get_current_span().get_span_context()
        return trace.format_trace_id(context.trace_id) if context.is_valid else None

    def bind(self, correlation_id: str) -> None:
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(CORRELATION_ID_ATTRIBUTE, correlation_id)

    def error_resolved(
        self, error: ResolvedError, request: HttpRequest | None, correlation_id: str | None
    ) -> None:
        span = trace.get_current_span()
        if not span.is_recording():
            return
        span.set_attributes(error_attributes(error, correlation_id))
        # Server spans are errors only for 5xx: a 4xx is the client's mistake.
        if error.is_server_error:
            # As in the log: a 5xx sent on purpose (``alert=False``) carries no traceback.
            if error.exception is not None and error.alert:
                span.record_exception(error.exception)
            span.set_status(Status(StatusCode.ERROR))
