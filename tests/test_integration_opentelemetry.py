"""The OpenTelemetry integration against the real SDK: DjangoInstrumentor's server spans,
exported to memory, through the sync and the async test clients."""

import re

import pytest
from django.test import RequestFactory, override_settings
from opentelemetry import trace
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode

from api_errors.catalog.types import CatalogEntry, ResolvedError
from api_errors.conf import get_settings
from api_errors.integrations.base import active_integrations, resolve_integration
from api_errors.integrations.opentelemetry import (
    CODE_ATTRIBUTE,
    CORRELATION_ID_ATTRIBUTE,
    OpenTelemetryIntegration,
    error_type,
)

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"
UNSAMPLED = f"00-{TRACE_ID}-b7ad6b7169203331-00"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
HEADER = "X-Correlation-ID"

FROM_TRACE = override_settings(
    API_ERRORS={"INTEGRATIONS": ["opentelemetry"], "CORRELATION_ID_FROM_TRACE": True}
)
TRACE_OFF = override_settings(API_ERRORS={"INTEGRATIONS": ["opentelemetry"]})


@pytest.fixture(scope="module")
def exporter():
    """DjangoInstrumentor with its own provider: the process's global one stays unset, and
    uninstrumenting takes its middleware out of settings.MIDDLEWARE for the other tests."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = DjangoInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    yield exporter
    instrumentor.uninstrument()
    provider.shutdown()


@pytest.fixture
def spans(exporter):
    exporter.clear()
    yield exporter
    exporter.clear()


def server_span(spans):
    (span,) = [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]
    return span


def trace_id_of(span):
    return trace.format_trace_id(span.context.trace_id)


def test_the_short_name_resolves_to_the_integration():
    assert isinstance(resolve_integration("opentelemetry"), OpenTelemetryIntegration)


@FROM_TRACE
def test_the_correlation_id_is_the_trace_id_of_the_incoming_traceparent(client, spans):
    response = client.get("/api/plain/ok/", headers={"traceparent": TRACEPARENT})
    span = server_span(spans)
    assert response[HEADER] == TRACE_ID == trace_id_of(span)
    assert span.attributes[CORRELATION_ID_ATTRIBUTE] == TRACE_ID


@FROM_TRACE
def test_a_request_without_traceparent_takes_the_trace_id_of_its_new_span(client, spans):
    response = client.get("/api/plain/ok/")
    span = server_span(spans)
    assert re.fullmatch(r"[0-9a-f]{32}", response[HEADER])
    assert response[HEADER] == trace_id_of(span) == span.attributes[CORRELATION_ID_ATTRIBUTE]


@TRACE_OFF
def test_without_the_setting_the_id_is_a_new_uuid_and_still_on_the_span(client, spans):
    response = client.get("/api/plain/ok/", headers={"traceparent": TRACEPARENT})
    span = server_span(spans)
    assert UUID4.fullmatch(response[HEADER])
    assert trace_id_of(span) == TRACE_ID
    assert span.attributes[CORRELATION_ID_ATTRIBUTE] == response[HEADER]


@FROM_TRACE
def test_the_clients_correlation_id_wins_over_the_trace(client, spans):
    response = client.get(
        "/api/plain/ok/", headers={"traceparent": TRACEPARENT, HEADER: "order-42"}
    )
    assert response[HEADER] == "order-42"
    assert server_span(spans).attributes[CORRELATION_ID_ATTRIBUTE] == "order-42"


@FROM_TRACE
def test_a_refused_client_id_never_reaches_the_span(client, spans):
    response = client.get(
        "/api/plain/ok/", headers={"traceparent": TRACEPARENT, HEADER: "not an id!"}
    )
    span = server_span(spans)
    assert response[HEADER] == TRACE_ID
    assert "not an id!" not in span.attributes.values()


@FROM_TRACE
def test_an_unsampled_trace_still_gives_its_id_and_records_nothing(client, spans):
    response = client.get("/api/plain/raise/runtime/", headers={"traceparent": UNSAMPLED})
    assert response.status_code == 500
    assert response[HEADER] == TRACE_ID
    assert spans.get_finished_spans() == ()


@TRACE_OFF
def test_a_client_error_is_on_the_span_but_does_not_fail_it(client, spans):
    response = client.get("/api/drf/raise/drf_not_found/")
    span = server_span(spans)
    assert response.status_code == 404
    assert span.attributes[CODE_ATTRIBUTE] == response.json()["error_code"]
    assert span.attributes["http.response.status_code"] == 404
    assert span.attributes["error.type"] == "rest_framework.exceptions.NotFound"
    assert span.attributes[CORRELATION_ID_ATTRIBUTE] == response[HEADER]
    assert span.status.status_code is not StatusCode.ERROR
    assert span.events == ()


@TRACE_OFF
def test_a_validation_error_is_on_the_span_but_does_not_fail_it(client, spans):
    response = client.post("/api/drf/validate/", {}, content_type="application/json")
    span = server_span(spans)
    assert response.status_code == 400
    assert span.attributes[CODE_ATTRIBUTE] == response.json()["error_code"]
    assert span.attributes["http.response.status_code"] == 400
    assert span.attributes["error.type"] == "rest_framework.exceptions.ValidationError"
    assert span.status.status_code is not StatusCode.ERROR


@TRACE_OFF
def test_a_server_error_fails_the_span_and_records_the_exception(client, spans):
    response = client.get("/api/plain/raise/runtime/")
    span = server_span(spans)
    assert response.status_code == 500
    assert span.attributes[CODE_ATTRIBUTE] == response.json()["error_code"]
    assert span.attributes["http.response.status_code"] == 500
    assert span.attributes["error.type"] == "RuntimeError"
    assert span.status.status_code is StatusCode.ERROR
    (event,) = span.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "RuntimeError"


@TRACE_OFF
def test_a_server_error_without_an_exception_fails_the_span_without_an_event(client, spans):
    response = client.get("/api/plain/html-status/503/")
    span = server_span(spans)
    assert response.status_code == 503
    assert span.attributes["error.type"] == "503"
    assert span.status.status_code is StatusCode.ERROR
    assert span.events == ()


@FROM_TRACE
async def test_the_async_path_takes_the_trace_id_and_records_the_error(async_client, spans):
    response = await async_client.get(
        "/api/async/raise/runtime/", headers={"traceparent": TRACEPARENT}
    )
    span = server_span(spans)
    assert response.status_code == 500
    assert response[HEADER] == TRACE_ID == trace_id_of(span)
    assert span.attributes[CORRELATION_ID_ATTRIBUTE] == TRACE_ID
    assert span.attributes[CODE_ATTRIBUTE] == response.json()["error_code"]
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


@FROM_TRACE
async def test_the_async_path_puts_the_id_on_a_successful_span(async_client, spans):
    response = await async_client.get("/api/async/correlation/")
    span = server_span(spans)
    assert response.json()["correlation_id"] == response[HEADER] == trace_id_of(span)
    assert span.attributes[CORRELATION_ID_ATTRIBUTE] == response[HEADER]


def test_without_a_span_the_integration_supplies_nothing():
    assert OpenTelemetryIntegration().supply_correlation_id(RequestFactory().get("/")) is None


class WatchedSpan(NonRecordingSpan):
    """A span that is not recording but notes every write it is asked for."""

    def __init__(self):
        super().__init__(SpanContext(int(TRACE_ID, 16), 1, is_remote=True))
        self.writes = []

    def set_attribute(self, key, value):
        self.writes.append(key)

    def set_attributes(self, attributes):
        self.writes.extend(attributes)

    def record_exception(self, exception, *args, **kwargs):
        self.writes.append("exception")

    def set_status(self, status, description=None):
        self.writes.append("status")


def server_error(exception=None):
    return ResolvedError(
        entry=CatalogEntry(code=50000, http_status=500, message="Server error."),
        http_status=500,
        message="Server error.",
        exception=exception,
    )


def test_a_span_that_is_not_recording_is_left_alone():
    span = WatchedSpan()
    integration = OpenTelemetryIntegration()
    with trace.use_span(span):
        assert integration.supply_correlation_id(RequestFactory().get("/")) == TRACE_ID
        integration.bind("an-id")
        integration.error_resolved(server_error(KeyError("k")), None, "an-id")
    assert span.writes == []


def test_an_error_outside_a_request_has_no_correlation_id_attribute():
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer(__name__).start_as_current_span("task"):
        OpenTelemetryIntegration().error_resolved(server_error(), None, None)
    (span,) = exporter.get_finished_spans()
    assert CORRELATION_ID_ATTRIBUTE not in span.attributes
    assert span.attributes["error.type"] == "500"
    # No HTTP instrumentation here to fail the span from the status: the integration does.
    assert span.status.status_code is StatusCode.ERROR


def test_a_server_error_sent_on_purpose_fails_the_span_without_an_exception_event():
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    unplanned, planned = server_error(KeyError("k")), server_error(KeyError("k"))
    planned.alert = False
    for error in (unplanned, planned):
        with provider.get_tracer(__name__).start_as_current_span("request"):
            OpenTelemetryIntegration().error_resolved(error, None, "an-id")
    first, second = exporter.get_finished_spans()
    assert [event.name for event in first.events] == ["exception"]
    assert second.events == ()
    assert second.status.status_code is StatusCode.ERROR
    assert second.attributes["error.type"] == "KeyError"


class Nested:
    class Failure(Exception):
        pass


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (None, "500"),
        (KeyError("k"), "KeyError"),
        (Nested.Failure(), f"{__name__}.Nested.Failure"),
    ],
)
def test_error_type_is_the_fully_qualified_class_name_or_the_status(exception, expected):
    assert error_type(server_error(exception)) == expected


@override_settings(API_ERRORS={"INTEGRATIONS": ["opentelemetry"]})
def test_the_settings_turn_the_integration_on():
    (integration,) = active_integrations(get_settings())
    assert isinstance(integration, OpenTelemetryIntegration)
