"""Replay stress: engagements on a worker that keeps almost nothing in its cache (so
nearly every workflow task replays the history), while the worker is killed with
SIGKILL and started again; then every history replays with the Replayer.

    .venv/bin/python -m bench.stress [--engagements 200] [--kills 100] [--cache 4]    (make stress)

The customers read the engagement (a query) before most actions, as the command
line and the demo do: a query that meets a waiting workflow task on a worker that
still holds the engagement is what makes an update replay out of its order
(workflows/engagement.py, "What runs where"). Three paths, in turn: driven by updates to completion (a rejection first, every
other one), driven by signals to completion, and never answered (reminders and
escalations until expiry: the message-heavy path). Each history that does not
replay, and each engagement whose workflow task failed (stuck), is kept in
build/stress/ for whoever investigates. Exits 1 when any did.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer

from bench.report import console
from bench.stack import encrypted
from devstack.ports import free_port, port_is_open
from devstack.processes import DevStack, log_says, python_module, stop, wait_for
from devstack.settings import StackSettings
from devstack.smtp_sink import SinkSettings
from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.contract import message_delivery_id_for
from fasttrack.engagement.catalogue import update_name_of
from fasttrack.models import Action, ActionReceipt, CheckpointHeld, VerificationResult
from fasttrack.policy import BenefitPolicy
from register import Register
from register.store import default_url
from simulation.customer import SignallingCustomer, SimulatedCustomer
from simulation.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope
from workers.config import WorkerSettings
from workers.runner import workflow_runner
from workers.task_clock_guard import EARLY_EVENTS_LOGGED
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

REPOSITORY = Path(__file__).resolve().parent.parent
KEPT = REPOSITORY / "build" / "stress"
TASK_QUEUE = "fasttrack-stress"
PATHS = ("updates", "signals", "unanswered")
TRANSIENT = (RPCError, ConnectionError, asyncio.TimeoutError)
ENGAGEMENT_DEADLINE = 240.0  # seconds for one engagement, purchase to outcome, through the kills


class Stuck(Exception):
    """The engagement's workflow task failed: it cannot go on."""


async def through_faults(call, what: str, deadline: float):
    """A call retried through worker kills until ``deadline`` (monotonic); a failed workflow task is Stuck."""
    while True:
        try:
            return await asyncio.wait_for(call(), 30)
        except WorkflowUpdateFailedError:
            raise
        except RPCError as error:
            # A failed workflow task may be a passing one (a worker killed mid-task): only the
            # deadline says stuck; the replay pass says why.
            if time.monotonic() > deadline:
                raise Stuck(f"{what}: no answer ({error.message})") from None
        except TRANSIENT:
            if time.monotonic() > deadline:
                raise Stuck(f"{what}: no answer") from None
        await asyncio.sleep(0.3)


class UpdatingCustomer(SimulatedCustomer):
    """Every action under an update id of its own, the same on every retry (applied once)."""

    def __init__(self, handle: WorkflowHandle, deadline: float) -> None:
        super().__init__(handle)
        self.deadline, self.step = deadline, 0

    async def act(self, action: Action) -> ActionReceipt:
        await self.state()  # a reading first, as the command line makes before an action
        self.step += 1
        update_id = f"{self.handle.id}-{self.step}"
        return await through_faults(lambda: self.update(action, update_id), update_id, self.deadline)

    async def state(self):
        return await through_faults(lambda: self.handle.query(EngagementWorkflow.state), "query", self.deadline)


class SignallingThroughFaults(SignallingCustomer):
    def __init__(self, handle: WorkflowHandle, deadline: float) -> None:
        super().__init__(handle)
        self.deadline = deadline

    async def act(self, action: Action) -> None:
        return await through_faults(lambda: super(SignallingThroughFaults, self).act(action),
                                    update_name_of(action), self.deadline)

    async def state(self):
        return await through_faults(lambda: self.handle.query(EngagementWorkflow.state), "query", self.deadline)


async def completed_by(customer: SimulatedCustomer, reject_first: bool) -> None:
    """Contact to Enable, with checkpoints, a rejected verification and the devices and apps."""
    await customer.eligibility_checked()
    # In UTC: a compressed year ends the day it starts, and the plan's target date (today) must be the
    # customer's today too, which late in the UTC day it is not in Paris.
    await customer.through_assess(make_scope(time_zone="UTC"), make_environment(**ENVIRONMENT_WITH_GAPS),
                                  datetime.now(timezone.utc).date())
    await customer.remediate()
    await customer.act(CheckpointHeld(by=customer.specialist))
    if reject_first:
        first = (await customer.state()).checklist[0].id
        await customer.act(VerificationResult(by=customer.specialist, approved=False, reopen_item_ids=[first]))
        await customer.remediate()
    await customer.approve()
    await customer.enable()


@dataclass
class Outcome:
    handle: WorkflowHandle
    path: str
    stuck: str | None = None


@dataclass
class Tally:
    engagements: int = 0
    histories: int = 0
    replay_failures: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    kills: int = 0
    let_go: int = 0  # activations the worker refused as ahead of their task (workers/task_clock_guard.py)


class StressStack:
    """A dev server, a mail sink and one worker process that can be killed and started again."""

    def __init__(self, folder: Path, cache: int) -> None:
        self.folder, self.cache = folder, cache
        self.stack = DevStack(StackSettings(data_dir=folder, temporal_port=free_port(), ui_port=free_port()), ui=False)
        self.sink_port = free_port()
        self.database_url = default_url(folder)
        self.sink: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.starts = 0
        # Payloads encrypted as in production: with the configured keys, or a key of the run's own.
        if not os.environ.get("FASTTRACK_ENCRYPTION_KEYS"):
            os.environ["FASTTRACK_ENCRYPTION_KEYS"] = f"stress:{base64.b64encode(os.urandom(32)).decode()}"

    def start(self) -> None:
        Register(self.database_url).migrate()
        self.sink = self.stack.start_process(SinkSettings.environment(smtp_port=self.sink_port, mail_dir=self.folder / "mail"),
                                            python_module("devstack.smtp_sink"), output=open(self.folder / "sink.log", "ab"))
        wait_for(lambda: port_is_open(self.sink_port), self.sink, "The mail sink")
        self.stack.start_server(open(self.folder / "server.log", "ab"))

    async def start_worker(self) -> None:
        self.worker = self.stack.start_process(WorkerSettings.environment(
            task_queue=TASK_QUEUE, smtp_host="127.0.0.1", smtp_port=self.sink_port, smtp_security="none",
            database_url=self.database_url, data_dir=self.folder, log_level="INFO", log_format="json",
            max_cached_workflows=self.cache, shutdown_grace_seconds=1, create_register=True,
        ), output=open(self.folder / "worker.log", "ab"))
        self.starts += 1
        await log_says(self.folder / "worker.log", '"worker started"', self.starts, process=self.worker)

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()

    def stop(self) -> None:
        stop(self.worker, "the stress worker")
        self.stack.stop_server()
        stop(self.sink, "the stress mail sink")


async def drive(client: Client, number: int, path: str, register: Register) -> Outcome:
    deadline = time.monotonic() + ENGAGEMENT_DEADLINE
    day = timedelta(seconds=0.1) if path == "unanswered" else timedelta(seconds=1)
    purchase = make_purchase(datetime.now(timezone.utc), organization=f"Stress {number}")
    started = await through_faults(lambda: record_purchase(client, purchase, TASK_QUEUE,
                                                           BenefitPolicy.compressed(day), register),
                                   "purchase", deadline)
    outcome = Outcome(started.handle, path)
    try:
        if path == "updates":
            await completed_by(UpdatingCustomer(started.handle, deadline), reject_first=number % 2 == 0)
        elif path == "signals":
            await completed_by(SignallingThroughFaults(started.handle, deadline), reject_first=False)
        await through_faults(started.handle.result, "result", deadline)
    except Stuck as stuck:
        outcome.stuck = str(stuck)
    return outcome


async def histories_of(client: Client, outcome: Outcome) -> list:
    histories = [await outcome.handle.fetch_history()]
    first_run = histories[0].events[0].workflow_execution_started_event_attributes.first_execution_run_id
    try:
        histories.append(await client.get_workflow_handle(
            message_delivery_id_for(outcome.handle.id, first_run)).fetch_history())
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:  # none when nothing was left to send at closing
            raise
    return histories


async def replay_all(client: Client, outcomes: list[Outcome], tally: Tally, kept: Path) -> None:
    replayer = Replayer(workflows=[EngagementWorkflow, MessageDeliveryWorkflow], data_converter=client.data_converter,
                        workflow_runner=workflow_runner())
    for outcome in outcomes:
        for history in await histories_of(client, outcome):
            tally.histories += 1
            failed_tasks = [event for event in history.events
                            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
            try:
                await replayer.replay_workflow(history)
                problem = None
            except Exception as error:  # kept, with its reason, for whoever investigates
                problem = f"{type(error).__name__}: {error}"
            nondeterministic = [event for event in failed_tasks
                                if "ondetermin" in event.workflow_task_failed_event_attributes.failure.message]
            if problem or nondeterministic:
                kept.mkdir(parents=True, exist_ok=True)
                (kept / f"{history.workflow_id}.json").write_text(history.to_json())
                reason = problem or nondeterministic[0].workflow_task_failed_event_attributes.failure.message
                tally.replay_failures.append(f"{history.workflow_id}: {reason.splitlines()[0][:300]}")
                console.print(f"  [red]does not replay[/red] {history.workflow_id}: {reason.splitlines()[0][:300]}")
        if outcome.stuck:
            tally.stuck.append(f"{outcome.handle.id}: {outcome.stuck}")
            console.print(f"  [red]stuck[/red] {outcome.handle.id}: {outcome.stuck}")
            await outcome.handle.terminate("stress: stuck")


async def killer(stack: StressStack, done: asyncio.Event, tally: Tally, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    while not done.is_set() and tally.kills < kills:
        try:
            await asyncio.wait_for(done.wait(), rng.uniform(1.0, 3.0))
        except asyncio.TimeoutError:
            stack.kill_worker()
            tally.kills += 1
            await stack.start_worker()


async def run(arguments: argparse.Namespace) -> Tally:
    tally = Tally()
    kept = Path(arguments.keep)
    with tempfile.TemporaryDirectory(prefix="fasttrack-stress-") as scratch:
        stack = StressStack(Path(scratch), arguments.cache)
        stack.start()
        try:
            await stack.start_worker()
            client = await Client.connect(stack.stack.address, data_converter=encrypted(),
                                          interceptors=[QueryRetryInterceptor()])
            register = Register(stack.database_url)
            number = 0
            rounds = [("no kills", arguments.engagements, 0), ("worker killed", arguments.kill_engagements,
                                                                arguments.kills)]
            for name, engagements, kills in rounds:
                console.print(f"[bold]{name}[/bold]: {engagements} engagements, cache {arguments.cache}"
                              + (f", until {kills} kills" if kills else ""))
                done = asyncio.Event()
                chaos = asyncio.create_task(killer(stack, done, tally, tally.kills + kills, seed=number)) if kills \
                    else None
                remaining = engagements
                while remaining > 0 or (chaos and not chaos.done()):
                    batch = max(min(arguments.concurrency, remaining), 0) or arguments.concurrency
                    outcomes = await asyncio.gather(*(drive(client, number + n, PATHS[(number + n) % len(PATHS)],
                                                            register) for n in range(batch)))
                    number += batch
                    remaining -= batch
                    tally.engagements += batch
                    await replay_all(client, outcomes, tally, kept)
                    console.print(f"  {tally.engagements} engagements, {tally.histories} histories replayed, "
                                  f"{tally.kills} kills, {len(tally.replay_failures)} not replaying, "
                                  f"{len(tally.stuck)} stuck")
                done.set()
                if chaos:
                    await chaos
        finally:
            stack.stop()
            log = stack.folder / "worker.log"
            tally.let_go = log.read_text(errors="replace").count(EARLY_EVENTS_LOGGED) if log.exists() else 0
    return tally


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.stress", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engagements", type=int, default=200, help="engagements on the tiny cache, no kills")
    parser.add_argument("--kill-engagements", type=int, default=60, help="engagements driven through the kills")
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs of the worker (at least)")
    parser.add_argument("--cache", type=int, default=4,
                        help="the worker's max_cached_workflows: below the concurrency, most tasks replay")
    parser.add_argument("--concurrency", type=int, default=8, help="engagements driven at the same time")
    parser.add_argument("--keep", default=str(KEPT), help="where failing histories are kept")
    arguments = parser.parse_args(argv)
    for name in ("engagements", "kill_engagements", "kills", "cache", "concurrency"):
        if getattr(arguments, name) < (1 if name == "concurrency" else 0):
            parser.error(f"--{name.replace('_', '-')} must be at least {1 if name == 'concurrency' else 0}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    tally = asyncio.run(run(arguments))
    console.print(f"[bold]{tally.engagements} engagements, {tally.histories} histories, {tally.kills} worker kills: "
                  f"{len(tally.replay_failures)} did not replay, {len(tally.stuck)} stuck[/bold]; "
                  f"{tally.let_go} activations refused as ahead of their task"
                  + (f" (kept in {arguments.keep})" if tally.replay_failures or tally.stuck else ""))
    return 1 if tally.replay_failures or tally.stuck else 0


if __name__ == "__main__":
    sys.exit(main())
