"""OpenTelemetry tracing, switched on by FASTTRACK_TRACING: the SDK's interceptor
puts spans around client calls, workflow runs, updates, signals and activities,
carried from caller to worker in the Temporal headers. ``console`` prints them;
``otlp`` sends them to OTEL_EXPORTER_OTLP_ENDPOINT (the standard variables)."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from temporalio.contrib.opentelemetry import TracingInterceptor

_configured: TracerProvider | None = None


def _exporter(mode: str) -> SpanExporter:
    if mode == "console":  # one JSON line a span, beside the JSON logs
        return ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def flush_tracing() -> None:
    """Sends the spans still buffered: before a process leaves without finalization."""
    if _configured is not None:
        _configured.shutdown()


def tracing_interceptors(mode: str) -> list[TracingInterceptor]:
    """The interceptors for Client.connect: none when tracing is off. The process's
    tracer provider is set once, at the first call that switches tracing on."""
    global _configured
    if mode == "off":
        return []
    if _configured is None:
        _configured = TracerProvider(resource=Resource.create({"service.name": "fasttrack"}))
        _configured.add_span_processor(BatchSpanProcessor(_exporter(mode)))
        trace.set_tracer_provider(_configured)
    return [TracingInterceptor(always_create_workflow_spans=True)]
