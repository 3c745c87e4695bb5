"""The worker process: runs engagement workflows and their activities.

    python -m workers.worker

Configuration comes from FASTTRACK_* environment variables (see workers/config.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from datetime import timedelta
from typing import Any

import uvicorn
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Worker, WorkerDeploymentConfig, WorkflowRunner

from activities.eligibility import verify_eligibility
from activities.message_handover import MessageHandoverActivity
from activities.notifier import DeliveryLedger, Notifier
from activities.register_writes import RegisterActivities
from engagement_client.connection import check_at_start, connect
from engagement_client.customer_links import page_links
from engagement_client.settings import ConfigurationError
from process_support.logs import configure_logging
from process_support.ports import port_problem
from process_support.process_exit import exit_now
from register import Register, RegisterUnavailable
from register.store import safe_url
from workers.config import WorkerSettings
from workers.observability import create_app, sdk_runtime
from workers.runner import workflow_runner
from workers.task_clock_guard import TaskClockGuardedRunner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

log = logging.getLogger("fasttrack.worker")


def build_worker(client, settings: WorkerSettings, notifier: Notifier | None = None,
                 register: Register | None = None, runner: WorkflowRunner | None = None, **options: Any) -> Worker:
    """The worker; ``runner`` and ``options`` (the SDK's Worker options) are the benchmark's levers."""
    register = register or Register(settings.register_url, create=settings.create_register)
    register.migrate()  # a database that cannot be reached stops the worker here, with its reason
    notifier = notifier or Notifier(settings, DeliveryLedger(register), page_links(settings))
    writes = RegisterActivities(register)
    defaults: dict[str, Any] = dict(
        task_queue=settings.task_queue,
        workflows=[EngagementWorkflow, MessageDeliveryWorkflow],
        activities=[verify_eligibility, notifier.send_notification, MessageHandoverActivity(client).hand_over_messages,
                    writes.record_progress, writes.record_closing],
        workflow_runner=TaskClockGuardedRunner(runner or workflow_runner()),
        graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds),
        max_cached_workflows=settings.max_cached_workflows,
        # The SDK's own check fails a workflow task whose update rejection echoes an
        # oversized request, and that task then fails for good. The server refuses such
        # a request on arrival (history.maxInFlightUpdatePayloads in
        # deploy/temporal/dynamicconfig.yaml); what the engagement sends stays under its budgets.
        disable_payload_error_limit=True,
        deployment_config=deployment_config(settings),
    )
    chosen = defaults | options
    if "tuner" not in chosen and "max_concurrent_workflow_tasks" not in chosen:
        chosen["max_concurrent_workflow_tasks"] = workflow_task_slots(chosen["max_cached_workflows"])
    return Worker(client, **chosen)


SDK_WORKFLOW_TASK_SLOTS = 100


def workflow_task_slots(max_cached_workflows: int) -> int:
    """No more workflow tasks at once than engagements the cache holds (at least the
    SDK's two). With more, the SDK's core queues tasks for a cache slot, and under
    load it once left a task unanswered for good ("Extra buffered run should not
    have produced an activation"; docs/reliability.md)."""
    if max_cached_workflows == 0:  # no cache: every task replays, nothing waits for a slot
        return SDK_WORKFLOW_TASK_SLOTS
    return max(2, min(SDK_WORKFLOW_TASK_SLOTS, max_cached_workflows))


def deployment_config(settings: WorkerSettings) -> WorkerDeploymentConfig | None:
    """Worker Versioning, when the worker is given its deployment and build. Engagements
    auto-upgrade: a year-long run moves to the current build at its next task, which
    workflow.patched and the replay corpus keep safe."""
    if settings.build_id is None:  # the settings hold both or neither
        return None
    if settings.deployment_name is None:
        raise ConfigurationError("FASTTRACK_BUILD_ID needs FASTTRACK_DEPLOYMENT_NAME")
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=settings.deployment_name, build_id=settings.build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


class _EndpointServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):
        yield  # the worker handles SIGINT and SIGTERM, and stops this server itself


def _metrics_port_free(port: int, host: str) -> None:
    """Checked before the worker starts: a port in use is a clear error, not a crash mid-poll."""
    problem = port_problem(port, host)
    if problem is not None:
        raise RuntimeError(f"FASTTRACK_METRICS_PORT {port} on {host}: {problem}")


async def _serve_endpoint(endpoint: uvicorn.Server, stop: asyncio.Event) -> None:
    try:
        await endpoint.serve()
    except (SystemExit, OSError):  # uvicorn exits when it cannot listen: stop the worker cleanly
        log.error("metrics endpoint failed; stopping")
        stop.set()


async def serve(settings: WorkerSettings) -> None:
    if settings.metrics_port:
        _metrics_port_free(settings.metrics_port, settings.metrics_host)
    runtime, sdk_metrics = sdk_runtime() if settings.metrics_port else (None, None)
    client = await connect(settings, runtime=runtime, refuse_malformed=True)
    try:
        register = Register(settings.register_url, create=settings.create_register)
    except RegisterUnavailable:
        raise RegisterUnavailable(
            f"There is no benefit register at {safe_url(settings.register_url)}: point FASTTRACK_DATABASE_URL (or "
            "FASTTRACK_DATA_DIR) at it, or, on a first start only, set FASTTRACK_CREATE_REGISTER=true.") from None
    worker = build_worker(client, settings, register=register)
    endpoint = None
    if settings.metrics_port and sdk_metrics is not None:  # the SDK's metrics come with the port
        app = create_app(client, register, polling=lambda: worker.is_running, sdk_metrics_address=sdk_metrics)
        endpoint = _EndpointServer(uvicorn.Config(app, host=settings.metrics_host, port=settings.metrics_port,
                                                  log_config=None, access_log=False))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info(
        "worker started",
        extra={
            "temporal_address": client.service_client.config.target_host,
            "namespace": client.namespace,
            "task_queue": settings.task_queue,
            "smtp": f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})",
            "register": safe_url(settings.register_url),
            "metrics": f"http://{settings.metrics_host}:{settings.metrics_port}/metrics" if endpoint else None,
            "deployment_version": f"{settings.deployment_name}:{settings.build_id}" if settings.build_id else None,
        },
    )
    serving = asyncio.create_task(_serve_endpoint(endpoint, stop)) if endpoint else None
    async with worker:
        await stop.wait()
        log.info("worker stopping: finishing tasks in progress")
    if endpoint is not None and serving is not None:
        endpoint.should_exit = True
        await serving
    log.info("worker stopped")


DESCRIPTION = "The FastTrack engagement worker: runs the engagements' workflows and activities until SIGINT or SIGTERM."
CONFIGURED_BY = (
    "Configured by environment variables only: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, "
    "TEMPORAL_TLS_*, TEMPORAL_PROFILE; FASTTRACK_ENCRYPTION_KEYS(_FILE), FASTTRACK_DATABASE_URL, "
    "FASTTRACK_SMTP_*, FASTTRACK_TASK_QUEUE, FASTTRACK_METRICS_PORT and the others in "
    "docs/configuration.md."
)


def main() -> None:
    """`fasttrack worker` (and `python -m workers.worker`)."""
    try:
        settings = WorkerSettings.from_environment()
        check_at_start(settings)
        page_links(settings)  # bad link keys stop the worker here, before any mail goes out
    except ConfigurationError as error:
        raise SystemExit(f"fasttrack worker: {error}") from None
    configure_logging(settings.log_format, settings.log_level)
    try:
        asyncio.run(serve(settings))
    except (RuntimeError, RegisterUnavailable) as error:  # the Temporal server or the register is not reachable
        log.error("worker failed", extra={"error": str(error)})
        exit_now(1)
    exit_now(0)


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python -m workers.worker", description=DESCRIPTION, epilog=CONFIGURED_BY).parse_args()
    main()
