"""OpenTelemetry for the example: each span appended to ``EXAMPLE_OTEL_SPANS_FILE`` as one
JSON line, the server spans made by ``DjangoInstrumentor``. Off unless the file is named."""

from __future__ import annotations

from typing import Any

from django.conf import settings

_provider: Any = None


def instrument_from_settings() -> None:
    """Instrument Django once per process, before its handler builds the middleware chain:
    the instrumentor adds its middleware to ``settings.MIDDLEWARE``, read only then."""
    global _provider
    path = getattr(settings, "EXAMPLE_OTEL_SPANS_FILE", "")
    if not path or _provider is not None:
        return
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    provider = TracerProvider()
    # Line-buffered and exported as each span ends, so a reader sees it at once.
    out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the process
    exporter = ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    DjangoInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
