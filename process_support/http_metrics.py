"""What the HTTP services (the intake, the codec server) answer for operations:
``/healthz`` for the container's health check, and request metrics on their own
``/metrics``: counts and durations by route template (never a raw path, which
holds tenant ids or the codec token) and status."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest


def instrument(app: FastAPI, service: str) -> None:
    registry = CollectorRegistry()
    requests = Counter("fasttrack_http_requests", "HTTP requests answered", ["service", "route", "status"],
                       registry=registry)
    seconds = Histogram("fasttrack_http_request_seconds", "Time to answer an HTTP request", ["service", "route"],
                        registry=registry)

    @app.middleware("http")
    async def measured(request: Request, call_next):
        began = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        if route != "/metrics":
            requests.labels(service, route, str(response.status_code)).inc()
            seconds.labels(service, route).observe(time.perf_counter() - began)
        return response

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}
