"""The worker's HTTP endpoint, on FASTTRACK_METRICS_PORT:

- ``/metrics``: the Temporal SDK's own metrics (workflow task latency, polls,
  activity results …) and the engagements' business metrics, for Prometheus;
- ``/healthz``: the process answers (liveness);
- ``/readyz``: Temporal and the benefit register answer, and the worker polls.

The business metrics are counted where they are true: engagements by phase and
at risk from Temporal's visibility (the search attributes, a few at each scrape);
messages sent and failed, and refused actions, by the workflows and activities
themselves through the SDK's metric meter (``fasttrack_*``)."""

from __future__ import annotations

import asyncio
import logging
import urllib.request
from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from engagement_client.counts import QUESTIONS, Count, counted
from process_support.ports import free_port
from register import Register

log = logging.getLogger("fasttrack.observability")
CHECK_TIMEOUT = timedelta(seconds=3)
VISIBILITY_TIMEOUT_SECONDS = 5  # well within a Prometheus scrape's 10 s
# Counts a scrape asks visibility for, once each has been read (the first scrape reads them
# all): thirteen at every scrape would take more than the server's default visibility rate
# allows the namespace, which the team's board shares. At Prometheus's 15 s, each count is
# read again every fifth scrape: at most 75 s old.
COUNTS_PER_SCRAPE = 3


def sdk_runtime() -> tuple[Runtime, str]:
    """A runtime whose SDK metrics are served on a free loopback port, and their address."""
    address = f"127.0.0.1:{free_port()}"
    # Counters end in _total, as Prometheus names them (the dashboard queries those names).
    metrics = PrometheusConfig(bind_address=address, counters_total_suffix=True)
    return Runtime(telemetry=TelemetryConfig(metrics=metrics)), address


class EngagementGauges:
    """A Prometheus collector of the counts last read from visibility."""

    def __init__(self) -> None:
        self.by_phase: dict[str, int] = {}
        self.at_risk: dict[str, int] = {}
        self.visibility_up = 0
        self._readings = 0
        self._read_in: dict[Count, int] = {}  # the reading that last read each count
        self._reading = asyncio.Lock()  # scrapes at once take turns: each reads the next stalest

    async def refresh(self, client: Client, at_most: int | None = None) -> None:
        """New counts, or the last ones kept (and visibility marked down) when Temporal's
        visibility does not answer in time: the SDK's metrics are served either way.
        ``at_most``: read only that many, those read longest ago, once every count has
        been read; otherwise every count."""
        async with self._reading:
            due = self._due(at_most)
            try:
                counts = await asyncio.wait_for(counted(client, due, timedelta(seconds=VISIBILITY_TIMEOUT_SECONDS)),
                                                VISIBILITY_TIMEOUT_SECONDS)
            except Exception as error:  # any failure: the same answer, counts kept
                self.visibility_up = 0
                log.warning("engagement counts not read", extra={"failure": type(error).__name__})
                return
            self._readings += 1
            for (kind, label), value in counts.items():
                (self.by_phase if kind == "phase" else self.at_risk)[label] = value
                self._read_in[(kind, label)] = self._readings
            self.visibility_up = 1

    def _due(self, at_most: int | None) -> list[Count]:
        if at_most is None:
            return list(QUESTIONS)
        never_read = [count for count in QUESTIONS if count not in self._read_in]
        return never_read or sorted(QUESTIONS, key=self._read_in.__getitem__)[:at_most]

    def collect(self):
        phases = GaugeMetricFamily("fasttrack_engagements", "Engagements by phase (open, and closed within "
                                   "Temporal's retention), each count read within the last five scrapes",
                                   labels=["phase"])
        for phase, value in self.by_phase.items():
            phases.add_metric([phase], value)
        yield phases
        risks = GaugeMetricFamily("fasttrack_open_engagements_at_risk", "Open engagements with a risk flag, "
                                  "each count read within the last five scrapes", labels=["risk"])
        for risk, value in self.at_risk.items():
            risks.add_metric([risk], value)
        yield risks
        yield GaugeMetricFamily("fasttrack_visibility_up", "Whether the last scrape read its engagement counts "
                                "from Temporal's visibility (0: the counts above are older)",
                                value=self.visibility_up)


def _sdk_metrics(address: str) -> str:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as response:
        return response.read().decode()


def create_app(client: Client, register: Register, polling: Callable[[], bool],
               sdk_metrics_address: str) -> FastAPI:
    app = FastAPI(title="FastTrack worker", docs_url=None, redoc_url=None, openapi_url=None)
    gauges = EngagementGauges()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(gauges)

    @app.get("/metrics")
    async def metrics() -> PlainTextResponse:
        await gauges.refresh(client, at_most=COUNTS_PER_SCRAPE)
        try:
            sdk = await asyncio.to_thread(_sdk_metrics, sdk_metrics_address)
        except OSError as error:
            log.warning("SDK metrics not read", extra={"failure": type(error).__name__})
            sdk = ""
        return PlainTextResponse(generate_latest(registry).decode() + sdk, media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def ready() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=CHECK_TIMEOUT)
            checks["temporal"] = "ok"
        except Exception as error:  # any failure means not ready; its kind is enough here
            checks["temporal"] = type(error).__name__
        try:
            await asyncio.wait_for(asyncio.to_thread(register.ping), CHECK_TIMEOUT.total_seconds())
            checks["register"] = "ok"
        except Exception as error:
            checks["register"] = type(error).__name__
        checks["worker"] = "ok" if polling() else "stopped"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    return app
