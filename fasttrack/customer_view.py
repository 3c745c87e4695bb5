"""What the customer's page shows of an engagement, in the customer's language: where it
stands, what waits on the customer (and what they may mark done there), what FastTrack
is doing, the next call, the deadlines. Presentation of the rules only: it decides
nothing the engagement does not decide again when the customer acts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from fasttrack.messages import localize, lookup
from fasttrack.models import (
    CLOSED_PHASES,
    CallKind,
    ChecklistItem,
    EnableTask,
    EngagementState,
    ItemStatus,
    Owner,
    Person,
    Phase,
    Phrase,
    TaskNeeds,
)
from fasttrack.wording.catalogs import say
from fasttrack.wording.greeting import greeting as greets
from fasttrack.wording.values import day_phrase, moment_phrase, number

READ_ONLY_FOR = timedelta(days=30)  # a closed engagement's page shows its outcome this long


class StepKind(StrEnum):
    ITEM = "item"  # a remediation checklist item: complete_remediation_item
    TASK = "task"  # an Enable task the customer owns: complete_task


@dataclass(frozen=True)
class Step:
    """Something open that the customer may mark done on the page."""

    kind: StepKind
    id: str
    text: str
    guidance: str
    blocked_by: str | None = None  # why it cannot be marked done yet
    reopened: bool = False


@dataclass(frozen=True)
class CustomerView:
    language: str
    greeting: str
    for_tenant: str
    closed: bool
    standing: list[str]
    waiting: list[str] = field(default_factory=list)  # open on the customer's side, acted on elsewhere
    steps: list[Step] = field(default_factory=list)
    assistance_offered: bool = False
    ours_lead: str = ""  # FastTrack's part in this phase, before its open items or tasks
    ours: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    next_call: str = ""
    deadlines: list[str] = field(default_factory=list)


def customer_people(state: EngagementState) -> list[Person]:
    """Everyone on the customer's side the engagement writes to: the purchase's contact, then,
    from the kickoff, the project manager."""
    people = [state.purchase.customer_contact]
    if state.scope is not None:
        people.append(state.scope.project_manager)
    return people


def readable_until(state: EngagementState) -> datetime | None:
    """The last moment a closed engagement's page opens; None while it is open."""
    return None if state.outcome is None else state.outcome.at + READ_ONLY_FOR


def find_step(state: EngagementState, kind: StepKind, step_id: str) -> ChecklistItem | EnableTask | None:
    entries: list[ChecklistItem] | list[EnableTask] = state.checklist if kind is StepKind.ITEM else state.tasks
    return next((entry for entry in entries if entry.id == step_id), None)


def customers_step(state: EngagementState, kind: str, step_id: str) -> StepKind | None:
    """Whether the customer may send this step from their page: a checklist item or an Enable
    task that is theirs or shared. Whether it is still open, the engagement says (so that a
    reload of a step already sent shows its receipt again)."""
    known = next((step for step in StepKind if step.value == kind), None)
    entry = None if known is None else find_step(state, known, step_id)
    return known if entry is not None and customers_part(entry.owner) else None


def customers_part(owner: Owner) -> bool:
    """The customer's own work, or work shared with FastTrack (every core task is): theirs to mark done."""
    return owner is not Owner.FASTTRACK


def item_text(item: ChecklistItem, language: str) -> str:
    return localize(item.phrase or Phrase(text=item.description), language)  # a declared gap: as typed


def task_text(task: EnableTask, language: str) -> str:
    return lookup(language, f"tasks.{task.text_key}")


def step_text(state: EngagementState, kind: StepKind, step_id: str, language: str) -> str | None:
    """How the page names an item or a task, for the answer after acting on it."""
    entry = find_step(state, kind, step_id)
    if entry is None:
        return None
    return item_text(entry, language) if isinstance(entry, ChecklistItem) else task_text(entry, language)


def refusal(state: EngagementState, step: tuple[StepKind, str] | None, language: str) -> str:
    """Why a step was not recorded, as the engagement now stands."""
    entry = None if step is None else find_step(state, *step)
    if entry is not None and entry.status is ItemStatus.DONE and entry.done_at is not None:
        return say(language, "page.refused.already_done", {"day": day_phrase(entry.done_at, language,
                                                                             state.time_zone, state.purchase.country)})
    return lookup(language, "page.refused.no_longer_open")


def customer_view(state: EngagementState, contact: Person, now: datetime) -> CustomerView:
    language, zone = state.language, state.time_zone

    def words(key: str, **values: str) -> str:
        return say(language, key, values)

    def day(moment: datetime) -> str:
        return day_phrase(moment, language, zone, state.purchase.country)

    organization = state.purchase.organization
    for_tenant = (words("page.for_tenant", organization=organization, tenant_id=state.tenant_id) if organization
                  else words("page.tenant", tenant_id=state.tenant_id))
    greeting = greets(language, contact.name, contact.given_name)
    if state.phase in CLOSED_PHASES:
        until = readable_until(state) or now
        standing = [words(f"engagement_closed.subject.{state.phase.value}"),
                    words("page.closed.read_only", day=day(until))]
        return CustomerView(language, greeting, for_tenant, True, standing, done=_done(state, language))
    standing = [words(f"page.standing.{state.phase.value}")]
    if state.phase is not Phase.ELIGIBILITY:
        standing.append(words("page.standing.phase", phase=lookup(language, f"phases.{state.phase.value}"),
                              day=day(state.phase_since)))
    waiting, steps, ours = _open_work(state, language)
    assistance = state.phase in (Phase.ELIGIBILITY, Phase.INITIATE) and state.assistance_requested_at is None \
        and state.contact_made_at is None
    if state.assistance_requested_at is not None and state.phase is Phase.INITIATE:
        waiting.append(words("page.assistance.requested", day=day(state.assistance_requested_at)))
    return CustomerView(
        language, greeting, for_tenant, False, standing, waiting=waiting, steps=steps,
        assistance_offered=assistance, ours_lead=lookup(language, f"page.ours.{state.phase.value}"), ours=ours,
        done=_done(state, language),
        next_call=_next_call(state, now), deadlines=_deadlines(state, language),
    )


def _open_work(state: EngagementState, language: str) -> tuple[list[str], list[Step], list[str]]:
    """What waits on the customer without a form here, what they may mark done, and FastTrack's part."""
    phase = state.phase
    waiting: list[str] = []
    steps: list[Step] = []
    ours: list[str] = []
    if phase is Phase.INITIATE and state.contact_made_at is None and state.assistance_requested_at is None:
        waiting.append(lookup(language, "page.yours.contact"))
    if phase is Phase.ASSESS:
        if state.environment is None:
            waiting.append(lookup(language, "page.yours.environment"))
        waiting.append(lookup(language, "page.yours.plan"))
    if phase is Phase.REMEDIATE:
        for item in state.checklist:
            if item.status is not ItemStatus.OPEN:
                continue
            text = item_text(item, language)
            if not customers_part(item.owner):
                ours.append(text)
            else:
                steps.append(Step(StepKind.ITEM, item.id, text, lookup(language, "page.item.steps"),
                                  reopened=item.times_reopened > 0))
        if not any(item.status is ItemStatus.OPEN for item in state.checklist):
            waiting.append(lookup(language, "page.yours.verification"))
    if phase in (Phase.ENABLE_CORE, Phase.ENABLE_INTUNE):
        for task in state.tasks:
            if task.status is not ItemStatus.OPEN:
                continue
            text = task_text(task, language)
            if not customers_part(task.owner):
                ours.append(text)
                continue
            blocked = None
            if task.needs is TaskNeeds.TEST_DEVICE and not state.test_devices:
                blocked = lookup(language, "page.task.needs_device")
            elif task.needs is TaskNeeds.APP and not state.apps:
                blocked = lookup(language, "page.task.needs_app")
            steps.append(Step(StepKind.TASK, task.id, text, lookup(language, "page.task.steps"), blocked))
    return waiting, steps, ours


def _done(state: EngagementState, language: str) -> list[str]:
    items = [item_text(item, language) for item in state.checklist if item.status is ItemStatus.DONE]
    return items + [task_text(task, language) for task in state.tasks if task.status is ItemStatus.DONE]


def _next_call(state: EngagementState, now: datetime) -> str:
    language = state.language
    for call in (state.kickoff_call if state.phase is Phase.INITIATE else None,
                 state.next_checkpoint if state.phase is Phase.REMEDIATE else None):
        if call is not None and not call.cancelled and call.end > now:
            key = "page.call.kickoff" if call.kind is CallKind.KICKOFF else "page.call.checkpoint"
            return say(language, key, {"moment": moment_phrase(call.start, language, state.time_zone)})
    return lookup(language, "page.call.none")


def _deadlines(state: EngagementState, language: str) -> list[str]:
    zone = state.time_zone
    lines = []
    if state.contact_made_at is None and state.assistance_requested_at is None:
        lines.append(say(language, "page.deadline.contact",
                         {"day": day_phrase(state.contact_deadline, language, zone)}))
    if state.onboarding_started_at is not None:
        lines.append(say(language, "page.deadline.onboarding",
                         {"day": day_phrase(state.onboarding_deadline, language, zone)}))
    return lines


def done_count(view: CustomerView) -> str:
    return say(view.language, "page.done.count", {"count": number(len(view.done), view.language)},
               {"count": len(view.done)})
