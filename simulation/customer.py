"""The simulated customer and FastTrack specialist: one driver for the demo, the
tests, the history recorder and the benchmark. Subclasses change how an action
is sent (retries with an update id, a printed receipt) and how time passes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date

from temporalio.client import WorkflowHandle

from engagement_client.transient import riding_out
from engagement_client.update_ids import new_request_id, update_id_for
from fasttrack.contract import Event
from fasttrack.engagement.catalogue import update_name_of
from fasttrack.models import (
    Action,
    ActionReceipt,
    AppSelected,
    ContactMade,
    DeviceEnrolled,
    EngagementState,
    EnvironmentSubmitted,
    ItemStatus,
    KickoffHeld,
    LinkType,
    Phase,
    PlanAgreed,
    RemediationItemDone,
    Scope,
    SourceEnvironment,
    TaskDone,
    TaskNeeds,
    VerificationResult,
)
from fasttrack.policy import MdmPlatform
from workflows.engagement import EngagementWorkflow

SPECIALIST = "Ana (FastTrack)"
ADMIN = "Sam (Contoso IT)"


class SimulatedCustomer:
    devices: tuple[tuple[MdmPlatform, str], ...] = ((MdmPlatform.IOS, "iPhone-pilot-1"),)
    app = dict(platform=MdmPlatform.IOS, app_name="Contoso Expenses", link_type=LinkType.DEEP_LINK,
               link="itms-apps://itunes.apple.com/app/id123456")

    def __init__(self, handle: WorkflowHandle, admin: str = ADMIN, specialist: str = SPECIALIST) -> None:
        self.handle, self.admin, self.specialist = handle, admin, specialist

    async def act(self, action: Action) -> ActionReceipt | None:
        """The engagement's receipt; None from a driver that signals, which gets no answer."""
        return await self.execute(action)

    async def execute(self, action: Action) -> ActionReceipt:
        """Under an update id the Temporal UI shows, the same on every retry (applied once)."""
        named = update_id_for(update_name_of(action), action, new_request_id())
        return await riding_out(lambda: self.update(action, named))

    def update(self, action: Action, update_id: str | None = None) -> Awaitable[ActionReceipt]:
        """One try of the update the action's catalogue row names; ``update_id`` None: the server's own."""
        return self.handle.execute_update(update_name_of(action), action, id=update_id, result_type=ActionReceipt)

    async def send_raw(self, update: str, payload: object) -> ActionReceipt:
        """A payload as any client could send it (the tests of hostile input), with the server's own id."""
        return await self.handle.execute_update(update, payload, result_type=ActionReceipt)

    async def state(self) -> EngagementState:
        """The engagement without its timeline, as ``fasttrack status`` reads it (the ``standing`` query)."""
        return await riding_out(lambda: self.handle.query(EngagementWorkflow.standing))

    async def days(self, count: float) -> None:
        """Time passing between two steps; none unless a subclass says so."""

    async def until_phase(self, phase: Phase, attempts: int = 100) -> EngagementState:
        for _ in range(attempts):
            state = await self.state()
            if state.phase is phase:
                return state
            await asyncio.sleep(0.05)
        raise AssertionError(f"engagement stayed in {state.phase}, expected {phase}")

    async def eligibility_checked(self) -> None:
        while (await self.state()).phase is Phase.ELIGIBILITY:
            await asyncio.sleep(0.05)

    async def through_assess(self, scope: Scope, environment: SourceEnvironment, target_date: date) -> None:
        """Contact, kickoff, environment and plan: the engagement is then in Remediate."""
        await self.act(ContactMade(by=self.specialist))
        await self.act(KickoffHeld(by=self.specialist, scope=scope))
        await self.act(EnvironmentSubmitted(by=self.admin, environment=environment))
        await self.act(PlanAgreed(by=self.specialist, target_date=target_date))

    async def remediate(self, pause_days: float = 0) -> None:
        for item in (await self.state()).checklist:
            if item.status is ItemStatus.OPEN:
                await self.days(pause_days)
                await self.act(RemediationItemDone(by=self.admin, item_id=item.id))

    async def approve(self) -> None:
        await self.act(VerificationResult(by=self.specialist, approved=True))

    async def enable(self, pause_days: float = 0) -> None:
        """Every core task, then the devices and apps, then every Intune task."""
        for _stage in ("core", "intune"):
            for task in [task for task in (await self.state()).tasks if task.status is ItemStatus.OPEN]:
                await self.days(pause_days)
                if task.needs is TaskNeeds.TEST_DEVICE:
                    for platform, device in self.devices:
                        await self.act(DeviceEnrolled(by=self.admin, platform=platform, device_name=device))
                if task.needs is TaskNeeds.APP:
                    await self.act(AppSelected(by=self.admin, **self.app))
                by = self.specialist if task.owner.value == "fasttrack" else self.admin
                await self.act(TaskDone(by=by, task_id=task.id))


class SignallingCustomer(SimulatedCustomer):
    """Sends each action as a signal of the update's name, with a request id, as a
    system that does not wait for an answer would; then reads until the engagement
    has applied it (a refusal, recorded on the timeline, is an error here)."""

    def __init__(self, handle: WorkflowHandle, admin: str = ADMIN, specialist: str = SPECIALIST) -> None:
        super().__init__(handle, admin, specialist)
        self.sent = 0

    async def act(self, action: Action) -> None:
        self.sent += 1
        request_id = f"{self.handle.id}-{self.sent}"
        refused_before = (await self.state()).signals_refused
        name = update_name_of(action)
        await self.handle.signal(name, {**action.model_dump(mode="json"), "request_id": request_id})
        for _ in range(400):
            state = await self.state()
            if f"{name}:{request_id}" in state.signal_requests:
                return None
            if state.signals_refused > refused_before:
                record = await riding_out(lambda: self.handle.query(EngagementWorkflow.state))  # with its timeline
                reason = next(event.detail for event in reversed(record.timeline) if event.what == Event.EVENT_REFUSED)
                raise AssertionError(f"{name} refused: {reason}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"{name} (request {request_id}) was never applied")
