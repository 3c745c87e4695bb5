"""Nothing lost, nothing duplicated: a batch of engagements driven through their
lifecycle on the real dev server (SQLite file) while one of two worker replicas,
each with a data folder of its own, is killed with SIGKILL at random moments and
the Temporal server is stopped and started again in the middle; with the benefit
register on SQLite, then on PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError
from temporalio.worker import Replayer

from devstack.ports import free_port
from devstack.processes import DevStack, log_says
from devstack.settings import StackSettings
from devstack.smtp_sink import MailSink
from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.contract import ENGAGEMENT_ID_PREFIX
from fasttrack.models import (
    Phase,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy
from register import Register
from register.store import default_url
from simulation.customer import SimulatedCustomer
from tests.support.encryption import SUITE_KEYS, encrypted_converter
from tests.support.scenario import (
    CUSTOMER,
    ENVIRONMENT_WITH_GAPS,
    FASTTRACK,
    make_environment,
    make_purchase,
    make_scope,
)
from workers.config import WorkerSettings
from workers.worker import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

TASK_QUEUE = "fasttrack-faults"
# Compressed policies. Engagements driven to their end get years long enough for a
# loaded machine (a year lasts 6 minutes); those that never answer expire in 37 s.
DRIVEN_DAY = timedelta(seconds=1)
UNANSWERED_DAY = timedelta(seconds=0.1)
BATCH = 20
FAILED_REPLAYS = Path(__file__).resolve().parents[2] / "build" / "failed-replays"


class Processes:
    """The Temporal dev server and a worker, as separate processes we can kill."""

    def __init__(self, folder: Path, sink: MailSink, database_url: str) -> None:
        self.stack = DevStack(StackSettings(data_dir=folder, temporal_port=free_port(), ui_port=free_port()), ui=False)
        self.sink = sink
        self.folder = folder
        self.database_url = database_url
        self.worker: subprocess.Popen | None = None
        self.replica: subprocess.Popen | None = None
        self.kill_times: list[datetime] = []

    @property
    def worker_kills(self) -> int:
        return len(self.kill_times)

    @property
    def address(self) -> str:
        return self.stack.address

    def start_server(self) -> None:
        self.stack.start_server(open(self.folder / "server.log", "ab"))

    def stop_server(self) -> None:
        self.stack.stop_server()

    def start_worker(self) -> None:
        self.worker = self._worker(self.folder, "worker.log")

    def start_replica(self) -> None:
        """A second worker, never killed, with a data folder of its own: an attempt
        retried after a kill may run there, and must find the first one's delivery."""
        self.replica = self._worker(self.folder / "replica", "replica.log")

    def _worker(self, data_dir: Path, log: str) -> subprocess.Popen:
        data_dir.mkdir(parents=True, exist_ok=True)
        return self.stack.start_process(WorkerSettings.environment(
            task_queue=TASK_QUEUE, smtp_host="127.0.0.1", smtp_port=self.sink.port, data_dir=data_dir,
            database_url=self.database_url,  # the register, shared by the replicas
            log_level="INFO", shutdown_grace_seconds=1, create_register=True,
        ), output=open(self.folder / log, "ab"))

    async def worker_ready(self, timeout: float = 60) -> None:
        """Waits for the newest worker's "worker started" line: on a loaded machine a
        worker can take seconds to start, and killing it before would test nothing."""
        await log_says(self.folder / "worker.log", '"worker started"', self.worker_kills + 1, timeout=timeout)

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()
        self.kill_times.append(datetime.now(timezone.utc))

    def stop_all(self) -> None:
        for process in (self.worker, self.replica, self.stack.server):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


TRANSIENT = (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError, RuntimeError, ConnectionError)


async def persistently(call, *, what: str, attempts: int = 240):
    """Retries a call through worker kills and the server restart."""
    for _ in range(attempts):
        try:
            return await call()
        except WorkflowUpdateFailedError:
            raise  # the engagement refused: a real answer, not a fault
        except TRANSIENT:
            await asyncio.sleep(0.5)
    raise AssertionError(f"{what}: no answer through the faults")


@dataclass
class Script:
    """One engagement's path, and what its outcome and timeline must show."""

    name: str
    path: str
    expected_outcome: Phase
    expected_counts: Counter = field(default_factory=Counter)
    handle: WorkflowHandle = field(init=False, repr=False)  # once started

    @property
    def policy(self) -> BenefitPolicy:
        return BenefitPolicy.compressed(UNANSWERED_DAY if self.path == "never_answers" else DRIVEN_DAY)


class CustomerThroughFaults(SimulatedCustomer):
    """Each action with an update id of its own, the same on every retry, so that the
    server applies it once; every call retried through worker kills and the restart."""

    def __init__(self, script: Script) -> None:
        super().__init__(script.handle)
        self.name, self.step = script.name, 0

    async def act(self, action):
        self.step += 1
        update_id = f"{self.name}-{self.step}"
        return await persistently(lambda: self.update(action, update_id), what=update_id)

    async def state(self):
        return await persistently(lambda: self.handle.query(EngagementWorkflow.state), what="query")


async def drive(client: Client, script: Script, today) -> None:
    customer = CustomerThroughFaults(script)
    await customer.eligibility_checked()
    if script.path == "never_answers":
        return
    # In UTC: the plan's target date is today, which must be the customer's today too (see test_wedging.py).
    await customer.through_assess(make_scope(time_zone="UTC"), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    if script.path == "withdraws":
        await customer.act(Withdrawal(by=CUSTOMER, reason="Budget frozen"))
        return
    items = [item.id for item in (await customer.state()).checklist]
    await customer.remediate()
    if script.path == "rejected_then_approved":
        await customer.act(VerificationResult(by=FASTTRACK, approved=False, reopen_item_ids=[items[0]]))
        await customer.remediate()
    await customer.approve()
    await customer.enable()


def batch(size: int) -> list[Script]:
    paths = ["completes", "rejected_then_approved", "withdraws", "never_answers"]
    scripts = []
    for number in range(size):
        path = paths[number % len(paths)]
        outcome = {"withdraws": Phase.WITHDRAWN, "never_answers": Phase.EXPIRED}.get(path, Phase.COMPLETED)
        counts: Counter[str] = Counter()
        if path != "never_answers":
            counts.update({"contact_made": 1, "kickoff_held": 1, "environment_submitted": 1, "plan_agreed": 1})
        if path in ("completes", "rejected_then_approved"):
            counts.update({"remediation_item_done": 2, "verification_approved": 1, "core_enabled": 1,
                           "intune_enabled": 1, "test_device_enrolled": 1, "app_selected": 1})
        if path == "rejected_then_approved":
            counts.update({"verification_rejected": 1, "remediation_item_done": 1})
        if path == "withdraws":
            counts.update({"withdrawn": 1})
        if path == "never_answers":
            counts.update({"contact_sla_breached": 1, "expired": 1})
        scripts.append(Script(name=f"e{number:02d}", path=path, expected_outcome=outcome, expected_counts=counts))
    return scripts


async def chaos(processes: Processes, done: asyncio.Event, seed: int) -> None:
    """Kills the worker at random moments; once, restarts the server too."""
    rng = random.Random(seed)
    server_restarted = False
    while not done.is_set():
        await processes.worker_ready()
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        if done.is_set():
            break
        processes.kill_worker()
        if not server_restarted and processes.worker_kills == 3:
            processes.stop_server()
            await asyncio.sleep(1.0)
            processes.start_server()
            server_restarted = True
        processes.start_worker()


@pytest.mark.timeout(420)
@pytest.mark.parametrize("database, engagements", [("sqlite", BATCH), ("postgresql", BATCH // 2)])
async def test_a_batch_survives_worker_kills_and_a_server_restart(tmp_path, request, database, engagements):
    database_url = default_url(tmp_path) if database == "sqlite" else request.getfixturevalue("postgres_database_url")
    register = Register(database_url)
    register.migrate()
    sink = MailSink(tmp_path / "mail")
    sink.start()
    processes = Processes(tmp_path, sink, database_url)
    processes.start_server()
    processes.start_worker()
    processes.start_replica()
    try:
        client = await persistently(
            lambda: Client.connect(processes.address, data_converter=encrypted_converter(),
                                   interceptors=[QueryRetryInterceptor()]), what="connect"
        )
        scripts = batch(engagements)
        now = datetime.now(timezone.utc)
        for script in scripts:
            started = await record_purchase(client, make_purchase(now), TASK_QUEUE, script.policy, register)
            script.handle = started.handle
        done = asyncio.Event()
        chaos_task = asyncio.create_task(chaos(processes, done, seed=20261126))
        try:
            await asyncio.gather(*(drive(client, script, now.date()) for script in scripts))
            results = await asyncio.gather(*(
                persistently(script.handle.result, what=f"{script.name} result") for script in scripts
            ))
            # Each closing message was handed to a workflow of its own, which the faults do not stop either.
            await asyncio.gather(*(
                persistently(client.get_workflow_handle(result.message_delivery_id).result, what=f"{script.name} mail")
                for script, result in zip(scripts, results)
            ))
        finally:
            done.set()
            await chaos_task
        assert processes.worker_kills >= 3  # the server restart happened at the third kill

        for script, result in zip(scripts, results):
            assert result.outcome.status is script.expected_outcome, script.name
            counts = Counter(event.what for event in result.timeline)
            for what, expected in script.expected_counts.items():
                assert counts[what] == expected, (script.name, what, counts[what])
            # Every history the batch made, the engagement's and its last messages', is intact and deterministic.
            replayer = Replayer(workflows=[EngagementWorkflow, MessageDeliveryWorkflow],
                                data_converter=encrypted_converter(), workflow_runner=workflow_runner())
            delivery = client.get_workflow_handle(result.message_delivery_id)
            for handle, kind in ((script.handle, "engagement"), (delivery, "messages")):
                history = await persistently(handle.fetch_history, what="history")
                try:
                    await replayer.replay_workflow(history)
                except Exception:
                    # Kept for whoever investigates, with the key it needs (FASTTRACK_ENCRYPTION_KEYS_FILE=keys).
                    FAILED_REPLAYS.mkdir(parents=True, exist_ok=True)
                    (FAILED_REPLAYS / f"{database}-{script.name}-{kind}.json").write_text(history.to_json())
                    (FAILED_REPLAYS / "keys").write_text(SUITE_KEYS)  # this run's own key: the payloads need it
                    raise

        # The register: one record per engagement, with its outcome and report, whatever
        # the kills did to the activities that wrote it.
        for script in scripts:
            (record,) = register.records_of(script.handle.id.removeprefix(ENGAGEMENT_ID_PREFIX))
            outcome = record.outcome
            assert outcome is not None and outcome.status is script.expected_outcome and record.report, script.name

        # Messages: none lost, and a copy only where a worker died in the middle of an
        # SMTP exchange (the relay had the message, the worker never heard back).
        received: dict[str, list[datetime]] = {}
        for path in sorted(sink.folder.glob("*.eml")):
            message_id = next(line for line in path.read_text().splitlines() if line.startswith("Message-ID:"))
            received.setdefault(message_id, []).append(
                datetime.strptime(path.name.split("-")[0], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.utc)
            )
        copies = {message_id: times for message_id, times in received.items() if len(times) > 1}
        for message_id, times in copies.items():
            assert any(times[0] - timedelta(seconds=1) <= kill <= times[-1] for kill in processes.kill_times), (
                f"{message_id} was sent twice with no worker kill in between"
            )
        for script in scripts:
            kinds = [message["X-FastTrack-Kind"] for message in sink.messages()
                     if message["X-FastTrack-Engagement"] == script.handle.id]
            assert "engagement_closed" in kinds, script.name
        print(f"\n{database}: {engagements} engagements, {processes.worker_kills} worker kills (SIGKILL) of one of two "
              f"replicas, 1 server restart: "
              f"every outcome and action as scripted; {len(received)} messages, "
              f"{len(copies)} of them sent again after a kill in mid-exchange")
    finally:
        processes.stop_all()
        sink.stop()
